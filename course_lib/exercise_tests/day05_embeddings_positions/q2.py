OK_FORMAT = True

test = {   'name': 'q2',
    'points': 2,
    'suites': [   {   'cases': [   {   'code': '>>> toy = np.array([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0], [-1.0, 0.0]])\n'
                                               ">>> toy_vocab = {'a': 0, 'b': 1, 'c': 2, 'd': 3}\n"
                                               ">>> assert nearest_tokens('a', toy, toy_vocab, k=2) == ['b', 'c']\n"
                                               ">>> assert nearest_tokens('a', toy, toy_vocab, k=10) == ['b', 'c', 'd']\n",
                                       'failure_message': "On the toy table [[1, 0], [0.9, 0.1], [0, 1], [-1, 0]] with vocab {'a': 0, 'b': 1, 'c': 2, 'd': 3}, the two tokens nearest 'a' are ['b', "
                                                          "'c']: 'a' itself is left out, and 'd' points the opposite way (cosine -1). Return token strings, most similar first.",
                                       'hidden': False,
                                       'locked': False},
                                   {   'code': ">>> assert nearest_tokens('dog', embeddings, vocab, k=3) == ['dogs', 'canine', 'puppy']\n"
                                               ">>> assert nearest_tokens('x', np.array([[1.0, 0.0], [10.0, 10.0], [0.9, 0.1]]), {'x': 0, 'long': 1, 'close': 2}, k=1) == ['close']\n"
                                               '>>> try:\n'
                                               "...     nearest_tokens('zebraflavour', embeddings, vocab)\n"
                                               '... except ValueError:\n'
                                               '...     pass\n'
                                               '... else:\n'
                                               "...     raise AssertionError('expected a ValueError for a word that is not in vocab')\n",
                                       'failure_message': "In MiniLM's table the three tokens nearest 'dog' are ['dogs', 'canine', 'puppy'] (section 2 prints them). Rank by cosine similarity, not by "
                                                          'the dot product: in [[1, 0], [10, 10], [0.9, 0.1]] the row nearest the first is the third, although the second has the larger dot product. '
                                                          'An unknown word must raise ValueError.',
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
