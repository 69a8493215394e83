OK_FORMAT = True

test = {   'name': 'q3',
    'points': 3,
    'suites': [   {   'cases': [   {   'code': '>>> result = np.asarray(shift_matrix(1, 2), dtype=float)\n'
                                               '>>> assert result.shape == (2, 2)\n'
                                               '>>> assert np.allclose(result, [[math.cos(1), math.sin(1)], [-math.sin(1), math.cos(1)]])\n',
                                       'failure_message': 'shift_matrix(1, 2) should match the example of the statement. Row 0 of a block must produce the new sine and row 1 the new cosine: expand '
                                                          'sin(a + b) and cos(a + b) and read off which multiple of sin a and of cos a each needs. Remember that a pair is stored as (sin, cos), in '
                                                          'that order, so the block need not look like the rotation matrix you know.',
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
