OK_FORMAT = True

test = {   'name': 'q1',
    'points': 2,
    'suites': [   {   'cases': [   {   'code': '>>> result = np.asarray(embedding_grad(np.array([1, 1, 1, 3]), np.arange(8.0).reshape(4, 2), 5), dtype=float)\n'
                                               '>>> assert result.shape == (5, 2)\n'
                                               '>>> assert np.allclose(result, [[0, 0], [6, 9], [0, 0], [6, 7], [0, 0]])\n',
                                       'failure_message': 'With ids = [1, 1, 1, 3], grad_h = np.arange(8.0).reshape(4, 2) and vocab_size = 5, row 1 of the answer is the sum of the first three rows '
                                                          'of grad_h, row 3 is its last row, and rows 0, 2 and 4 are zero. Careful: in numpy, grad[ids] += grad_h adds only once for an id that '
                                                          'repeats (loop over the places, or look up np.add.at).',
                                       'hidden': False,
                                       'locked': False},
                                   {   'code': '>>> batch_ids = np.array([[4, 0, 4], [2, 4, 0]])\n'
                                               '>>> batch_grad = np.linspace(-1.0, 1.0, 24).reshape(2, 3, 4) ** 3\n'
                                               '>>> result = np.asarray(embedding_grad(batch_ids, batch_grad, 6), dtype=float)\n'
                                               '>>> assert result.shape == (6, 4)\n'
                                               '>>> assert np.allclose(result.sum(axis=0), batch_grad.reshape(-1, 4).sum(axis=0))\n'
                                               '>>> try:\n'
                                               '...     embedding_grad(np.array([[0, 5]]), np.ones((1, 2, 3)), vocab_size=5)\n'
                                               '... except ValueError:\n'
                                               '...     pass\n'
                                               '... else:\n'
                                               "...     raise AssertionError('expected a ValueError for id 5 with vocab_size = 5')\n",
                                       'failure_message': "ids may have any shape, here (B, T) = (2, 3), and grad_h then has shape (2, 3, d). Each place's gradient lands in exactly one row, so the "
                                                          'rows of your answer must add up to the sum of all the places of grad_h. An id equal to vocab_size (or negative) must raise ValueError.',
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
