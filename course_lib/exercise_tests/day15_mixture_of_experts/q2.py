OK_FORMAT = True

test = {   'name': 'q2',
    'points': 3,
    'suites': [   {   'cases': [   {   'code': '>>> logits = torch.tensor([[math.log(3.0), 0.0], [math.log(3.0), 0.0]])\n>>> assert abs(float(balancing_loss(logits, 1)) - 1.5) < 1e-05\n',
                                       'failure_message': 'With E = 2 experts, top_k = 1 and both tokens at logits [ln 3, 0], the probabilities are [0.75, 0.25] for each token, both tokens choose '
                                                          'expert 0 (f = [1, 0]) and P = [0.75, 0.25], so the loss is 2 * (1 * 0.75 + 0 * 0.25) = 1.5.',
                                       'hidden': False,
                                       'locked': False},
                                   {   'code': '>>> logits = torch.log(torch.tensor([[0.5, 0.3, 0.2]])).requires_grad_(True)\n'
                                               '>>> loss = balancing_loss(logits, 2)\n'
                                               '>>> assert isinstance(loss, torch.Tensor) and loss.ndim == 0\n'
                                               '>>> assert abs(loss.item() - 3 * (0.5 + 0.3)) < 1e-05\n'
                                               '>>> loss.backward()\n'
                                               '>>> assert logits.grad is not None and logits.grad.abs().sum() > 0\n',
                                       'failure_message': 'Return a 0-dimensional tensor, not a float, so that loss.backward() reaches the router logits through P. f counts the tokens that have an '
                                                          'expert among their top_k: for one token with probabilities [0.5, 0.3, 0.2] and top_k = 2, f = [1, 1, 0].',
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
