OK_FORMAT = True

test = {   'name': 'q1',
    'points': 3,
    'suites': [   {   'cases': [   {   'code': ">>> corpus = [['the', 'cat', 'sat'], ['the', 'dog', 'barked'], ['a', 'cat', 'and', 'a', 'dog']]\n"
                                               ">>> result = bm25_rank(['dog'], corpus, k=5)\n"
                                               '>>> assert [i for i, _ in result] == [1, 2]\n'
                                               '>>> assert [round(s, 3) for _, s in result] == [0.512, 0.404]\n',
                                       'failure_message': "On the three-document corpus, 'dog' is in documents 1 and 2; document 1 is shorter, so it wins: [(1, 0.512), (2, 0.404)] to three decimals. "
                                                          'Check idf = ln(1 + (3 - 2 + 0.5) / (2 + 0.5)) and the length normalisation with avgdl = 11 / 3.',
                                       'hidden': False,
                                       'locked': False},
                                   {   'code': ">>> corpus = [['the', 'cat', 'sat'], ['the', 'dog', 'barked'], ['a', 'cat', 'and', 'a', 'dog']]\n"
                                               ">>> assert bm25_rank(['zebra'], corpus, k=3) == []\n"
                                               ">>> assert [i for i, _ in bm25_rank(['cat', 'dog'], corpus, k=1)] == [2]\n",
                                       'failure_message': "Only positive scores are hits (a query word found nowhere gives []), and k limits the list: bm25_rank(['cat', 'dog'], corpus, k=1) keeps "
                                                          'only the best document, number 2.',
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
