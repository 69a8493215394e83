OK_FORMAT = True

test = {   'name': 'q2',
    'points': 2,
    'suites': [   {   'cases': [   {   'code': ">>> vocab = ['<pad>', '<unk>', '<bos>', '<eos>', 'a', 'b']\n>>> assert encode_chars('abc', vocab) == [2, 4, 5, 1, 3]\n",
                                       'failure_message': "With vocab ['<pad>', '<unk>', '<bos>', '<eos>', 'a', 'b'], 'abc' encodes to [2, 4, 5, 1, 3]: <bos>, a, b, then <unk> for the unknown 'c', "
                                                          'then <eos>. An id is a position in the list.',
                                       'hidden': False,
                                       'locked': False},
                                   {   'code': ">>> vocab = ['<pad>', '<unk>', '<bos>', '<eos>', 'a', 'b']\n"
                                               ">>> assert encode_chars('ba', vocab, add_special_tokens=False) == [5, 4]\n"
                                               ">>> assert encode_chars('', vocab, add_special_tokens=False) == []\n"
                                               ">>> assert encode_chars('xy', ['<eos>', 'x', '<bos>', '<unk>']) == [2, 1, 3, 0]\n",
                                       'failure_message': "Without special tokens there is no <bos> or <eos>: encode_chars('ba', vocab, add_special_tokens=False) == [5, 4], and '' gives []. Look the "
                                                          "special tokens up in vocab rather than assuming their positions: in ['<eos>', 'x', '<bos>', '<unk>'], 'xy' encodes to [2, 1, 3, 0].",
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
