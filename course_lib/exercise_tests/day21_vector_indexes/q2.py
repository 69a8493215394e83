OK_FORMAT = True

test = {   'name': 'q2',
    'points': 3,
    'suites': [   {   'cases': [   {   'code': '>>> toy_vectors = np.array([[1.0, 0.0], [0.6, 0.8], [0.0, 1.0]])\n'
                                               '>>> toy_centroids = np.array([[1.0, 0.0], [0.0, 1.0]])\n'
                                               '>>> toy_lists = [np.array([0, 1]), np.array([2])]\n'
                                               '>>> assert ivf_search(np.array([0.6, 0.8]), toy_centroids, toy_lists, toy_vectors, 1, 3) == [2]\n'
                                               '>>> assert ivf_search(np.array([0.6, 0.8]), toy_centroids, toy_lists, toy_vectors, 2, 3) == [1, 2, 0]\n',
                                       'failure_message': 'A hand-made case: with centroids [1, 0] and [0, 1], lists [[0, 1], [2]] and query [0.6, 0.8], nprobe=1 visits cell 1 only and returns [2]; '
                                                          'nprobe=2 visits both cells and returns [1, 2, 0] (inner products with the query 1.0, 0.8 and 0.6).',
                                       'hidden': False,
                                       'locked': False},
                                   {   'code': '>>> assert ivf_search(queries[0], ivf.centroids, ivf.lists, data, nprobe=32, k=10) == exact_ids[0].tolist()\n',
                                       'failure_message': "With nprobe equal to the number of cells the search is exact: your ids must equal brute force's top 10 for the first query of section 2.",
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
