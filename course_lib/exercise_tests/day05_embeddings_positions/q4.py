OK_FORMAT = True

test = {   'name': 'q4',
    'points': 3,
    'suites': [   {   'cases': [   {   'code': '>>> result = np.asarray(rope_interleaved(np.array([1.0, 0.0, 1.0, 0.0]), position=1), dtype=float)\n'
                                               '>>> assert result.shape == (4,)\n'
                                               '>>> assert np.allclose(result, [math.cos(1), math.sin(1), math.cos(0.01), math.sin(0.01)])\n',
                                       'failure_message': 'rope_interleaved([1, 0, 1, 0], position=1) should be [cos 1, sin 1, cos 0.01, sin 0.01]: pair 0 is (v[0], v[1]) with frequency base**0 = 1, '
                                                          "pair 1 is (v[2], v[3]) with frequency base**(-2/4) = 0.01. Rotate with x' = x cos a - y sin a, y' = x sin a + y cos a.",
                                       'hidden': False,
                                       'locked': False},
                                   {   'code': '>>> v = np.arange(1.0, 7.0)\n'
                                               '>>> result = np.asarray(rope_interleaved(v, 4), dtype=float)\n'
                                               '>>> assert result.shape == (6,) and np.isclose(np.linalg.norm(result), np.linalg.norm(v))\n'
                                               '>>> assert np.allclose(np.asarray(rope_interleaved(v, 0), dtype=float), v)\n'
                                               ">>> assert np.array_equal(v, np.arange(1.0, 7.0)), 'rope_interleaved changed its input'\n",
                                       'failure_message': 'A rotation keeps the length of v, position 0 changes nothing, and the input array must be left as it was (work on a copy). Check with v = '
                                                          'np.arange(1.0, 7.0) at positions 0 and 4.',
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
