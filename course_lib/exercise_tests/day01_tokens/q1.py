OK_FORMAT = True

test = {   'name': 'q1',
    'points': 2,
    'suites': [   {   'cases': [   {   'code': '>>> assert pad_batch([[2, 7, 3], [2, 3]], pad_id=0) == ([[2, 7, 3], [2, 3, 0]], [[1, 1, 1], [1, 1, 0]])\n',
                                       'failure_message': 'pad_batch([[2, 7, 3], [2, 3]], pad_id=0) should return ([[2, 7, 3], [2, 3, 0]], [[1, 1, 1], [1, 1, 0]]), a pair of lists: pad to the '
                                                          'longest sequence, then 1 in the mask for a real token and 0 for padding.',
                                       'hidden': False,
                                       'locked': False},
                                   {   'code': '>>> assert pad_batch([], pad_id=0) == ([], [])\n>>> assert pad_batch([[], []], pad_id=9) == ([[], []], [[], []])\n',
                                       'failure_message': 'Edge cases. An empty batch gives ([], []), and a batch of empty sequences stays empty, for example pad_batch([[], []], pad_id=9) == ([[], '
                                                          '[]], [[], []]).',
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
