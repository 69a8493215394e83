OK_FORMAT = True

test = {   'name': 'q3',
    'points': 3,
    'suites': [   {   'cases': [   {   'code': '>>> result = np.asarray(shift_matrix(1, 2), dtype=float)\n'
                                               '>>> assert result.shape == (2, 2)\n'
                                               '>>> assert np.allclose(result, [[math.cos(1), math.sin(1)], [-math.sin(1), math.cos(1)]])\n',
                                       'failure_message': 'shift_matrix(1, 2) should be [[cos 1, sin 1], [-sin 1, cos 1]] = [[0.5403, 0.8415], [-0.8415, 0.5403]]: row 0 makes the new sine, sin(a + '
                                                          'b) = sin a cos b + cos a sin b, and row 1 the new cosine, cos(a + b) = -sin a sin b + cos a cos b. Careful: that is the transpose of the '
                                                          'usual rotation matrix [[cos, -sin], [sin, cos]], because each pair is stored as (sin, cos), not as (x, y).',
                                       'hidden': False,
                                       'locked': False},
                                   {   'code': '>>> pe_check = sinusoidal_table(20, 8)\n'
                                               '>>> result = np.asarray(shift_matrix(5, 8), dtype=float)\n'
                                               '>>> assert result.shape == (8, 8)\n'
                                               '>>> assert all((np.allclose(result @ pe_check[pos], pe_check[pos + 5]) for pos in range(15)))\n',
                                       'failure_message': 'For d_model = 8, shift_matrix(5, 8) @ PE[pos] must equal PE[pos + 5] for every pos (PE = sinusoidal_table(20, 8)). Pair i = columns (2i, '
                                                          '2i+1) turns at base**(-2i / d_model) radians per position, so its block uses the angle k * base**(-2i / d_model); off the 2x2 blocks the '
                                                          'matrix is zero.',
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
