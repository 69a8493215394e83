OK_FORMAT = True

test = {   'name': 'q1',
    'points': 2,
    'suites': [   {   'cases': [   {   'code': '>>> v = np.array([[[3.0, 0.0], [0.0, 4.0], [9.0, 9.0]]])\n>>> assert np.allclose(pool_and_normalize(v, np.array([[1, 1, 0]])), [[0.6, 0.8]])\n',
                                       'failure_message': 'With vectors (3, 0), (0, 4), (9, 9) and mask [1, 1, 0], the masked mean is (1.5, 2.0), whose length is 2.5, so the answer is [[0.6, 0.8]]. '
                                                          'Multiply by the mask, sum over the token axis, divide by the number of real tokens, then divide by the length.',
                                       'hidden': False,
                                       'locked': False},
                                   {   'code': ">>> vectors, mask, _ = token_embeddings(['Tokens are ids.', 'Pooling averages the real tokens only.'])\n"
                                               ">>> assert np.allclose(pool_and_normalize(vectors, mask), sentence_embeddings(['Tokens are ids.', 'Pooling averages the real tokens only.']), "
                                               'atol=1e-05)\n'
                                               '>>> assert np.allclose(pool_and_normalize(np.ones((2, 3, 4)), np.array([[1, 0, 1], [0, 0, 0]]))[1], 0.0)\n',
                                       'failure_message': "On MiniLM's real token vectors (token_embeddings returns vectors and mask), your function must give the same unit vectors as "
                                                          'sentence_embeddings. A row with an all-zero mask must come back as zeros, without nan.',
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
