OK_FORMAT = True

test = {   'name': 'q2',
    'points': 2,
    'suites': [   {   'cases': [   {   'code': ">>> texts = ['the cat and the dog', 'the dog and the bird']\n>>> assert [smallest_min_frequency(texts, size) for size in (9, 8, 4)] == [1, 2, 5]\n",
                                       'failure_message': "On texts = ['the cat and the dog', 'the dog and the bird'] the answers for max_vocab_size 9, 8 and 4 are 1, 2 and 5. Remember that the 4 "
                                                          'special tokens count towards the size.',
                                       'hidden': False,
                                       'locked': False},
                                   {   'code': ">>> assert smallest_min_frequency(['Tokens, tokens. Tokens!'], 7) == 2\n"
                                               ">>> assert smallest_min_frequency(['Tokens, tokens. Tokens!'], 8) == 1\n"
                                               ">>> assert smallest_min_frequency(['Tokens tokens TOKENS'], 4) == 4\n",
                                       'failure_message': "Count words the way the tokenizer does, with pre_tokenize, which lower-cases and splits off punctuation. ['Tokens, tokens. Tokens!'] has "
                                                          "'tokens' 3 times and ',', '.', '!' once each, so max_vocab_size 7 needs min_frequency 2 (and 8 allows 1).",
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
