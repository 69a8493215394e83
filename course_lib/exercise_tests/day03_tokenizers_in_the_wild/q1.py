OK_FORMAT = True

test = {   'name': 'q1',
    'points': 2,
    'suites': [   {   'cases': [   {   'code': ">>> assert nfkc_changes('ﬁle №2: x² costs ½ €') == {'ﬁ': 'fi', '№': 'No', '²': '2', '½': '1⁄2'}\n",
                                       'failure_message': "nfkc_changes('ﬁle №2: x² costs ½ €') should be {'ﬁ': 'fi', '№': 'No', '²': '2', '½': '1⁄2'}: normalize each character alone with "
                                                          "unicodedata.normalize('NFKC', ch) and keep those that change, once each.",
                                       'hidden': False,
                                       'locked': False},
                                   {   'code': ">>> assert nfkc_changes('') == {} and nfkc_changes('plain text, café') == {}\n"
                                               ">>> assert nfkc_changes('²²x²') == {'²': '2'}\n"
                                               ">>> assert list(nfkc_changes('Ｂ①Ａ')) == ['Ｂ', '①', 'Ａ']\n",
                                       'failure_message': "Edge cases. Text NFKC leaves alone gives {} (an empty dict, not None); a character that repeats appears once, e.g. nfkc_changes('²²x²') == "
                                                          "{'²': '2'}; and the order is the order of first appearance.",
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
