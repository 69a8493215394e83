OK_FORMAT = True

test = {   'name': 'q2',
    'points': 3,
    'suites': [   {   'cases': [   {   'code': ">>> chat = [{'role': 'system', 'content': 'Be brief.'}, {'role': 'user', 'content': 'What is a token?'}, {'role': 'assistant', 'content': 'A piece of "
                                               "text with an id.'}, {'role': 'user', 'content': 'Thanks!'}]\n"
                                               '>>> assert count_chat_tokens(chat) == 41\n'
                                               ">>> assert [m['content'] for m in trim_history(chat, 40, count_chat_tokens)] == ['Be brief.', 'Thanks!']\n"
                                               '>>> assert trim_history(chat, 41, count_chat_tokens) == chat\n',
                                       'failure_message': 'The example conversation takes 41 tokens. With a budget of 40, dropping the first user message leaves an assistant message at the front, '
                                                          "which must go too, so only ['Be brief.', 'Thanks!'] remain. With a budget of 41 or more, everything is kept.",
                                       'hidden': False,
                                       'locked': False},
                                   {   'code': '>>> before = copy.deepcopy(chat)\n'
                                               '>>> kept = trim_history(chat, 40, count_chat_tokens)\n'
                                               '>>> assert chat == before and kept[0] == chat[0] and (kept is not chat)\n'
                                               '>>> try:\n'
                                               '...     trim_history(chat, 10, count_chat_tokens)\n'
                                               '... except ValueError:\n'
                                               '...     pass\n'
                                               '... else:\n'
                                               "...     raise AssertionError('expected ValueError for a budget of 10')\n",
                                       'failure_message': 'The system message is always first in the result, the input list must not change, and a budget too small for the system message plus the '
                                                          'newest message (here 10 tokens) must raise ValueError.',
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
