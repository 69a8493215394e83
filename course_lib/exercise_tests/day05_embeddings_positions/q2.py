OK_FORMAT = True

test = {   'name': 'q2',
    'points': 3,
    'suites': [   {   'cases': [   {   'code': '>>> pe_check = sinusoidal_table(500, 16)\n>>> for pos in (0, 7, 123, 499):\n...     assert abs(read_position(pe_check[pos]) - pos) < 0.01, pos\n',
                                       'failure_message': 'On exact rows of sinusoidal_table(500, 16), the answer is the row number. Pair i is (sin, cos) of pos * base**(-2i / d_model) in columns '
                                                          '(2i, 2i + 1); np.arctan2(sin, cos) gives its angle up to whole turns. Start from the slowest pair, the last one, which makes less than half '
                                                          'a turn for these positions.',
                                       'hidden': False,
                                       'locked': False},
                                   {   'code': '>>> speeds_check = 10000.0 ** (-np.arange(0, 64, 2) / 64)\n'
                                               '>>> row_check = np.empty(64)\n'
                                               '>>> row_check[0::2] = np.sin(12345.678 * speeds_check)\n'
                                               '>>> row_check[1::2] = np.cos(12345.678 * speeds_check)\n'
                                               '>>> row_check += np.random.default_rng(5).uniform(-0.001, 0.001, size=64)\n'
                                               '>>> assert abs(read_position(row_check) - 12345.678) < 0.01\n'
                                               '>>> try:\n'
                                               '...     read_position(np.ones(5))\n'
                                               '... except ValueError:\n'
                                               '...     pass\n'
                                               '... else:\n'
                                               "...     raise AssertionError('expected a ValueError for a row of length 5')\n",
                                       'failure_message': 'With entries off by up to 0.001, the slowest pair alone misses by several positions here: it turns only about 1e-4 radians per position. '
                                                          "Use that rough position to decide how many whole turns the next faster pair has made, refine the position with that pair's angle, and go on "
                                                          'down to the fastest pair. A row of odd length must raise ValueError.',
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
