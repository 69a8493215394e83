OK_FORMAT = True

test = {   'name': 'q1',
    'points': 3,
    'suites': [   {   'cases': [   {   'code': ">>> expected = '<bos><start_of_turn>user\\nBe brief.\\n\\nHi<end_of_turn>\\n<start_of_turn>model\\n'\n"
                                               ">>> assert render_gemma([{'role': 'system', 'content': 'Be brief.'}, {'role': 'user', 'content': ' Hi '}]) == expected\n",
                                       'failure_message': "render_gemma([{'role': 'system', 'content': 'Be brief.'}, {'role': 'user', 'content': ' Hi '}]) should be '<bos><start_of_turn>user\\nBe "
                                                          "brief.\\n\\nHi<end_of_turn>\\n<start_of_turn>model\\n': the system text and two newlines go in front of the first user turn, and the "
                                                          'content is stripped.',
                                       'hidden': False,
                                       'locked': False},
                                   {   'code': '>>> assert render_gemma(conversation) == gemma_text\n'
                                               ">>> assert not render_gemma(conversation, add_generation_prompt=False).endswith('<start_of_turn>model\\n')\n"
                                               '>>> try:\n'
                                               "...     render_gemma([{'role': 'user', 'content': 'a'}, {'role': 'user', 'content': 'b'}])\n"
                                               '... except ValueError:\n'
                                               '...     pass\n'
                                               '... else:\n'
                                               "...     raise AssertionError('two user turns in a row must raise ValueError')\n",
                                       'failure_message': "Section 2's conversation must give exactly gemma_text (apply_chat_template with GEMMA_TEMPLATE): the assistant is called 'model'. Without "
                                                          "add_generation_prompt there is no final '<start_of_turn>model\\n', and two user turns in a row must raise ValueError.",
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
