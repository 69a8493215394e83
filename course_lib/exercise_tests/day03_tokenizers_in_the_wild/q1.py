OK_FORMAT = True

test = {   'name': 'q1',
    'points': 2,
    'suites': [   {   'cases': [   {   'code': ">>> expected = {'é': 'é', 'ﬁ': 'fi', '№': 'No', '²': '2'}\n>>> assert nfkc_changes('café ﬁle №2: x²') == expected\n",
                                       'failure_message': "nfkc_changes('cafe\\u0301 ﬁle №2: x²') should have four keys: the cluster 'e' + U+0301 (two code points) mapped to the single code point "
                                                          "'é' (U+00E9), then 'ﬁ', '№' and '²'. Group each code point with the combining marks after it, then normalize each cluster on its own.",
                                       'hidden': False,
                                       'locked': False},
                                   {   'code': ">>> assert nfkc_changes('') == {} and nfkc_changes('plain text, café') == {}\n"
                                               ">>> assert nfkc_changes('²²x²') == {'²': '2'}\n"
                                               ">>> assert list(nfkc_changes('Ｂ①Ａ')) == ['Ｂ', '①', 'Ａ']\n"
                                               ">>> assert nfkc_changes('q́') == {}\n",
                                       'failure_message': "Edge cases. Text NFKC leaves alone gives {} (an empty dict, not None), e.g. 'café' typed with the single code point U+00E9; a cluster that "
                                                          'repeats appears once; the order is the order of first appearance; and marks that cannot compose (q + U+0301) leave the cluster unchanged.',
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
