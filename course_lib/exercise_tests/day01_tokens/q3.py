OK_FORMAT = True

test = {   'name': 'q3',
    'points': 3,
    'suites': [   {   'cases': [   {   'code': ">>> chat = ['Hi!', 'What is a token?', 'A piece of text.', 'And an id?']\n"
                                               '>>> kept = fit_messages(chat, tokenizer, context_window=24, reserve_for_output=8)\n'
                                               ">>> assert kept == ['A piece of text.', 'And an id?']\n",
                                       'failure_message': "With costs 4, 7, 7 and 6 and room for 24 - 8 = 16 tokens, the two newest messages fit (6 + 7 = 13) and a third would not (20). Expected ['A "
                                                          "piece of text.', 'And an id?'], oldest first.",
                                       'hidden': False,
                                       'locked': False},
                                   {   'code': ">>> chat = ['Hi!', 'What is a token?', 'A piece of text.', 'And an id?']\n"
                                               '>>> assert fit_messages(chat, tokenizer, 1000, 100) == chat\n'
                                               '>>> assert fit_messages(chat, tokenizer, context_window=10, reserve_for_output=5) == []\n'
                                               '>>> assert fit_messages([], tokenizer, context_window=10, reserve_for_output=5) == []\n',
                                       'failure_message': 'Edge cases. Everything fits in a large window (all messages, in order); nothing fits when the newest message alone is too long ([]); and an '
                                                          'empty conversation gives [].',
                                       'hidden': False,
                                       'locked': False},
                                   {   'code': ">>> chat = ['ok', 'a much longer message in the middle', 'ok']\n>>> assert fit_messages(chat, tokenizer, 10, 2) == ['ok']\n",
                                       'failure_message': "No gaps. In ['ok', 'a much longer message in the middle', 'ok'] with room for 8 tokens, only the last 'ok' is kept (3 tokens): the middle "
                                                          'message does not fit, so the walk back stops there.',
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
