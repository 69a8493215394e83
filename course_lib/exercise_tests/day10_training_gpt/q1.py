OK_FORMAT = True

test = {   'name': 'q1',
    'points': 3,
    'suites': [   {   'cases': [   {   'code': '>>> assert pad_documents([[5, 6, 7], [8]], block_size=2, eos_id=0, pad_id=9) == ([[5, 6], [7, 9], [8, 9]], [[6, 7], [0, -100], [0, -100]])\n',
                                       'failure_message': 'pad_documents([[5, 6, 7], [8]], 2, eos_id=0, pad_id=9) should be ([[5, 6], [7, 9], [8, 9]], [[6, 7], [0, -100], [0, -100]]): the first '
                                                          'document with its end-of-text id is 5 6 7 0, three predictions (5->6, 6->7, 7->0), so two rows; pad inputs with pad_id and targets with '
                                                          '-100.',
                                       'hidden': False,
                                       'locked': False},
                                   {   'code': '>>> assert pad_documents([[1, 2, 3], []], block_size=3, eos_id=0, pad_id=4) == ([[1, 2, 3]], [[2, 3, 0]])\n',
                                       'failure_message': 'A document that fills its rows exactly needs no padding, and an empty document gives no row: pad_documents([[1, 2, 3], []], 3, eos_id=0, '
                                                          'pad_id=4) is ([[1, 2, 3]], [[2, 3, 0]]).',
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
