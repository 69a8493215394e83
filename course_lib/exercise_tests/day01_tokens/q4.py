OK_FORMAT = True

test = {   'name': 'q4',
    'points': 2,
    'suites': [   {   'cases': [   {   'code': '>>> assert math.isclose(conversation_cost([10, 20], [100, 50], 1.0, 2.0), 0.00044)\n',
                                       'failure_message': 'conversation_cost([10, 20], [100, 50], 1.0, 2.0) should be about 0.00044 dollars. Turn 0 sends 10 tokens and gets 100; turn 1 resends 10 + '
                                                          '100 and adds 20, so 130 input tokens, and gets 50.',
                                       'hidden': False,
                                       'locked': False},
                                   {   'code': '>>> assert conversation_cost([], [], 3.0, 15.0) == 0.0\n'
                                               '>>> try:\n'
                                               '...     conversation_cost([10, 20], [100], 3.0, 15.0)\n'
                                               '... except ValueError:\n'
                                               '...     pass\n'
                                               '... else:\n'
                                               "...     raise AssertionError('expected a ValueError for lists of different lengths')\n",
                                       'failure_message': 'Edge cases. A conversation with no turns costs 0.0, and lists of different lengths must raise ValueError.',
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
