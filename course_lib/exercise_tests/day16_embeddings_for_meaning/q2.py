OK_FORMAT = True

test = {   'name': 'q2',
    'points': 3,
    'suites': [   {   'cases': [   {   'code': '>>> examples = np.array([[1.0, 0.0], [0.9, 0.3], [0.0, 1.0], [0.2, 1.0]])\n'
                                               ">>> labels = ['river', 'river', 'money', 'money']\n"
                                               ">>> assert guess_sense(np.array([1.0, 0.1]), examples, labels, k=1) == 'river'\n"
                                               ">>> assert guess_sense(np.array([0.3, 1.0]), examples, labels, k=3) == 'money'\n",
                                       'failure_message': 'In the 2-D example the three nearest examples to (0.3, 1.0) by cosine are indices 3, 2, 1: labels money, money, river, so the vote is '
                                                          "'money'; with k=1 and query (1.0, 0.1) the nearest is index 0, 'river'. Rank by cosine (divide by both lengths), not by dot product.",
                                       'hidden': False,
                                       'locked': False},
                                   {   'code': '>>> examples = np.array([[100.0, 0.0], [0.1, 0.1], [0.0, 0.2]])\n'
                                               ">>> assert guess_sense(np.array([1.0, 1.1]), examples, ['a', 'b', 'c'], k=1) == 'b'\n"
                                               ">>> query = word_vectors(['We fished from the grassy bank.'], 'bank')[0]\n"
                                               ">>> assert guess_sense(query, contextual_bank, ['river'] * 3 + ['money'] * 3, k=3) == 'river'\n",
                                       'failure_message': 'Use cosine, not the dot product: a long vector must not win because it is long. Here the example [100, 0] has the biggest dot product with '
                                                          "the query but the lowest cosine. On section 3's real vectors, 'We fished from the grassy bank.' should come out 'river' with k=3.",
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
