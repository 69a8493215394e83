OK_FORMAT = True

test = {   'name': 'q1',
    'points': 3,
    'suites': [   {   'cases': [   {   'code': '>>> assert math.isclose(interpolated_prob([[0, 1], [0, 0]], [0], 1, [0.2, 0.8], 0, 3, bos=9, eos=2), 0.3)\n'
                                               '>>> assert math.isclose(interpolated_prob([[0, 1], [0, 0]], [1], 0, [0.2, 0.8], 0, 3, bos=9, eos=2), 0.1)\n',
                                       'failure_message': 'For sequences [[0, 1], [0, 0]] (bos 9, eos 2): the unigram counts 0 three times, 1 once and eos twice (N = 6); after 0 came 1, 0 and eos '
                                                          'once each. So with weights [0.2, 0.8] and k = 0, P(1 | [0]) = 0.2 * 1/6 + 0.8 * 1/3 = 0.3.',
                                       'hidden': False,
                                       'locked': False},
                                   {   'code': '>>> assert math.isclose(interpolated_prob([[0, 1], [0, 0]], [3], 0, [0.2, 0.8], 1, 4, bos=9, eos=2), 0.4)\n'
                                               '>>> start = interpolated_prob([[0, 1], [0, 0]], [], 0, [0.5, 0.5], 0, 3, bos=9, eos=2)\n'
                                               '>>> assert math.isclose(start, 0.5 * 3 / 6 + 0.5 * 1.0)\n',
                                       'failure_message': 'Unseen contexts and padding. If the context of an order never occurred, leave that order out and divide by the weights you kept: with '
                                                          'context [3] the bigram has nothing, so the answer is the smoothed unigram alone. An empty context is the start of a text: pad it with bos, '
                                                          'so P(0 | []) uses the count of (bos,) -> 0.',
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
