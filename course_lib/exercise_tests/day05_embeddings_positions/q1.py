OK_FORMAT = True

test = {   'name': 'q1',
    'points': 2,
    'suites': [   {   'cases': [   {   'code': '>>> result = np.asarray(cosine_similarity_matrix(np.array([[1.0, 0.0], [1.0, 1.0]]), np.array([[2.0, 0.0], [0.0, 3.0], [-1.0, 0.0]])))\n'
                                               '>>> assert result.shape == (2, 3)\n'
                                               '>>> assert np.allclose(result, [[1, 0, -1], [0.5 ** 0.5, 0.5 ** 0.5, -0.5 ** 0.5]])\n',
                                       'failure_message': 'For a = [[1, 0], [1, 1]] and b = [[2, 0], [0, 3], [-1, 0]] the answer has shape (2, 3): [[1, 0, -1], [0.7071, 0.7071, -0.7071]]. Divide '
                                                          'every row by its length (np.linalg.norm(..., axis=1)), then one matrix product a_unit @ b_unit.T gives all the cosines.',
                                       'hidden': False,
                                       'locked': False},
                                   {   'code': ">>> rows = embeddings[[vocab['dog'], vocab['cat'], vocab['king']]]\n"
                                               '>>> result = np.asarray(cosine_similarity_matrix(rows, rows[:2]))\n'
                                               '>>> assert result.shape == (3, 2)\n'
                                               '>>> assert math.isclose(result[2, 1], cosine(rows[2], rows[1]), abs_tol=1e-06)\n'
                                               '>>> try:\n'
                                               '...     cosine_similarity_matrix(np.zeros((1, 3)), np.ones((2, 3)))\n'
                                               '... except ValueError:\n'
                                               '...     pass\n'
                                               '... else:\n'
                                               "...     raise AssertionError('expected a ValueError for a zero row')\n",
                                       'failure_message': "On MiniLM's rows, entry [i, j] must equal the cosine(a, b) of section 2, for example cos(dog, puppy) = 0.54; and a row of zeros, as in "
                                                          'cosine_similarity_matrix(np.zeros((1, 3)), np.ones((2, 3))), must raise ValueError.',
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
