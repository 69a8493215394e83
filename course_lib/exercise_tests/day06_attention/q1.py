OK_FORMAT = True

test = {   'name': 'q1',
    'points': 3,
    'suites': [   {   'cases': [   {   'code': '>>> out, w = masked_attention(np.array([[1.0, 0.0]]), np.array([[1.0, 0.0], [0.0, 1.0]]), np.array([[10.0], [20.0]]))\n'
                                               '>>> assert np.asarray(w).shape == (1, 2) and np.asarray(out).shape == (1, 1)\n'
                                               '>>> assert np.allclose(w, [[0.6698, 0.3302]], atol=0.0001) and np.allclose(out, [[13.3023]], atol=0.0001)\n',
                                       'failure_message': 'For q = [[1, 0]], k = [[1, 0], [0, 1]], v = [[10], [20]] the scores are [1, 0] / sqrt(2), the weights softmax of that = [0.6698, 0.3302], '
                                                          'and the output 0.6698 * 10 + 0.3302 * 20 = 13.3023. Return the pair (output, weights), in that order.',
                                       'hidden': False,
                                       'locked': False},
                                   {   'code': '>>> q2, k2, v2 = (np.array([[0.5, 1.0], [2.0, -1.0]]), np.array([[1.0, 1.0], [-1.0, 0.5]]), np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]))\n'
                                               '>>> out, w = masked_attention(q2, k2, v2, mask=np.array([[True, False], [False, False]]))\n'
                                               '>>> assert not np.isnan(np.asarray(out)).any() and (not np.isnan(np.asarray(w)).any())\n'
                                               '>>> assert np.allclose(w, [[1.0, 0.0], [0.0, 0.0]]) and np.allclose(out, [[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])\n',
                                       'failure_message': 'With mask [[True, False], [False, False]] the first query may only see key 0 (weight 1 on it, so its output is v[0]); the second query sees '
                                                          'nothing and must get zero weights and a zero output, not NaN. Set forbidden scores to -inf, and treat a row whose scores are all -inf '
                                                          'separately.',
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
