OK_FORMAT = True

test = {   'name': 'q1',
    'points': 3,
    'suites': [   {   'cases': [   {   'code': '>>> import math\n'
                                               '>>> import torch\n'
                                               '>>> table = {(): [-0.1, -2.4, -3.0], (0,): [-2.0, -0.2, -2.3], (1,): [-0.05, -3.0, -4.0], (0, 1): [-3.0, -2.5, -0.1], (1, 0): [-0.7, -0.7, -3.0], (0, '
                                               '0): [-1.0, -1.0, -1.0]}\n'
                                               '>>> def toy_lm(seqs):\n'
                                               '...     return torch.tensor([table.get(tuple(s), [-1.1, -1.1, -1.1]) for s in seqs])\n'
                                               '>>> tokens, score = beam_search_eos(toy_lm, [], num_beams=2, max_new_tokens=3, eos_id=2)\n'
                                               '>>> assert tokens == [0, 1, 2] and math.isclose(score, -0.4 / 3, abs_tol=1e-06)\n',
                                       'failure_message': 'On the toy model (vocab 0, 1 and the end token 2) with num_beams=2 the search keeps [0] and [1] after step 1, finishes [0, 1, 2] at step 3 '
                                                          '(log-prob -0.1 - 0.2 - 0.1 = -0.4, score -0.4 / 3) and must return ([0, 1, 2], about -0.1333). Scores add log-probabilities; new_tokens '
                                                          'leaves the prompt out.',
                                       'hidden': False,
                                       'locked': False},
                                   {   'code': '>>> import math\n'
                                               '>>> import torch\n'
                                               '>>> table = {(): [-0.1, -2.4, -3.0], (0,): [-2.0, -0.2, -2.3], (1,): [-0.05, -3.0, -4.0], (0, 1): [-3.0, -2.5, -0.1], (1, 0): [-0.7, -0.7, -3.0], (0, '
                                               '0): [-1.0, -1.0, -1.0]}\n'
                                               '>>> def toy_lm(seqs):\n'
                                               '...     return torch.tensor([table.get(tuple(s), [-1.1, -1.1, -1.1]) for s in seqs])\n'
                                               '>>> tokens, score = beam_search_eos(toy_lm, [], num_beams=1, max_new_tokens=5, eos_id=2, length_penalty=0.0)\n'
                                               '>>> assert tokens == [0, 1, 2] and math.isclose(score, -0.4, abs_tol=1e-06)\n'
                                               '>>> shifted = lambda seqs: toy_lm([s[1:] for s in seqs])\n'
                                               '>>> assert beam_search_eos(shifted, [7], 2, 3, 2)[0] == [0, 1, 2]\n',
                                       'failure_message': 'One beam is greedy: on the toy model it follows 0, then 1, then the end token 2. With length_penalty=0 the score is the plain sum of '
                                                          'log-probabilities (-0.4), and the prompt is kept out of the returned tokens.',
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
