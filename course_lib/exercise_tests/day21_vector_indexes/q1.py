OK_FORMAT = True

test = {   'name': 'q1',
    'points': 2,
    'suites': [   {   'cases': [   {   'code': '>>> assert abs(ann_recall([[4, 2, 9], [1, 5, -1]], [[2, 4, 7], [1, 3, 8]]) - 0.5) < 1e-12\n',
                                       'failure_message': 'ann_recall([[4, 2, 9], [1, 5, -1]], [[2, 4, 7], [1, 3, 8]]) should be 0.5: the first query found 2 of its 3 true ids, the second 1 of 3, '
                                                          'and the mean of 2/3 and 1/3 is 0.5.',
                                       'hidden': False,
                                       'locked': False},
                                   {   'code': '>>> assert abs(ann_recall(np.array([[3, -1]]), np.array([[-1, 3]])) - 0.5) < 1e-12\n'
                                               '>>> try:\n'
                                               '...     ann_recall([[1]], [[1], [2]])\n'
                                               '... except ValueError:\n'
                                               '...     pass\n'
                                               '... else:\n'
                                               "...     raise AssertionError('expected a ValueError')\n",
                                       'failure_message': 'Order does not matter, -1 never counts, and numpy arrays work too: ann_recall(np.array([[3, -1]]), np.array([[-1, 3]])) is 0.5 (found 3; '
                                                          'the true list has length 2). Lists of different numbers of queries raise ValueError.',
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
