OK_FORMAT = True

test = {   'name': 'q3',
    'points': 3,
    'suites': [   {   'cases': [   {   'code': '>>> toy_graph = {0: [1], 1: [0, 2], 2: [1, 3], 3: [2]}\n'
                                               '>>> toy_vectors = np.array([[1.0, 0.0], [0.8, 0.6], [0.6, 0.8], [0.0, 1.0]])\n'
                                               '>>> assert beam_search(toy_graph, toy_vectors, np.array([0.0, 1.0]), 0, 2) == [3, 2]\n'
                                               '>>> assert beam_search(toy_graph, toy_vectors, np.array([0.0, 1.0]), 0, 1) == [3]\n',
                                       'failure_message': 'On the path 0 - 1 - 2 - 3 with query [0, 1], scores rise along the path (0, 0.6, 0.8, 1.0), so from entry 0 the beam reaches node 3: ef=2 '
                                                          'gives [3, 2] and ef=1 (the greedy walk) gives [3].',
                                       'hidden': False,
                                       'locked': False},
                                   {   'code': '>>> assert beam_search({0: [], 1: [], 2: [], 3: []}, np.eye(4), np.array([0.0, 0.0, 0.0, 1.0]), 3, 5) == [3]\n'
                                               '>>> assert beam_search({0: [1], 1: [0, 2], 2: [1, 3], 3: [2]}, np.array([[1.0, 0.0], [0.8, 0.6], [0.6, 0.8], [0.0, 1.0]]), np.array([1.0, 0.0]), 3, 4) '
                                               '== [0, 1, 2, 3]\n',
                                       'failure_message': "A local optimum: with query [1, 0] from entry 3, node 2 scores 0.6 > node 3's 0.0, and so on down to node 0. But on the graph {0: [], 1: "
                                                          '[], 2: [], 3: []} nothing can be reached and the answer is just [3].',
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
