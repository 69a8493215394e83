OK_FORMAT = True

test = {   'name': 'q3',
    'points': 2,
    'suites': [   {   'cases': [   {   'code': '>>> clipped, norm = clip_gradients([torch.tensor([3.0]), torch.tensor([[4.0]])], max_norm=1.0)\n'
                                               '>>> assert math.isclose(norm, 5.0, rel_tol=1e-06)\n'
                                               '>>> assert torch.allclose(clipped[0], torch.tensor([0.6])) and torch.allclose(clipped[1], torch.tensor([[0.8]]))\n',
                                       'failure_message': 'clip_gradients([tensor([3.0]), tensor([[4.0]])], 1.0) should return the norm 5.0 (sqrt(9 + 16), over all tensors together) and tensors '
                                                          'scaled by 1/5: [0.6] and [[0.8]].',
                                       'hidden': False,
                                       'locked': False},
                                   {   'code': '>>> small_grads = [torch.tensor([0.3, 0.4])]\n'
                                               '>>> clipped, norm = clip_gradients(small_grads, max_norm=1.0)\n'
                                               '>>> assert math.isclose(norm, 0.5, rel_tol=1e-06) and torch.allclose(clipped[0], small_grads[0])\n',
                                       'failure_message': 'Gradients already shorter than max_norm are returned unchanged: clip_gradients([tensor([0.3, 0.4])], 1.0) gives [tensor([0.3, 0.4])] and '
                                                          'norm 0.5.',
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
