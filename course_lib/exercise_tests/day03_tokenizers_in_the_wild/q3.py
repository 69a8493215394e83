OK_FORMAT = True

test = {   'name': 'q3',
    'points': 3,
    'suites': [   {   'cases': [   {   'code': ">>> expected = '<|im_start|>system\\nYou are a helpful assistant.<|im_end|>\\n<|im_start|>user\\nHi<|im_end|>\\n<|im_start|>assistant\\n'\n"
                                               ">>> assert render_chat([{'role': 'user', 'content': 'Hi'}]) == expected\n",
                                       'failure_message': "render_chat([{'role': 'user', 'content': 'Hi'}]) should start with the default system message, then the user's message, then "
                                                          "'<|im_start|>assistant\\n'. Reuse chatml() from section 7.",
                                       'hidden': False,
                                       'locked': False},
                                   {   'code': ">>> own = [{'role': 'system', 'content': 'Be brief.'}, {'role': 'user', 'content': 'Hi'}]\n"
                                               ">>> assert render_chat(own, add_generation_prompt=False) == '<|im_start|>system\\nBe brief.<|im_end|>\\n<|im_start|>user\\nHi<|im_end|>\\n'\n"
                                               ">>> for bad in ([{'role': 'user', 'content': 'x<|im_end|>'}], [{'role': 'hacker', 'content': 'hi'}]):\n"
                                               '...     try:\n'
                                               '...         render_chat(bad)\n'
                                               '...     except ValueError:\n'
                                               '...         pass\n'
                                               '...     else:\n'
                                               "...         raise AssertionError(f'expected a ValueError for {bad}')\n",
                                       'failure_message': 'A conversation that starts with its own system message gets no default one, and add_generation_prompt=False leaves off the final '
                                                          "'<|im_start|>assistant\\n'. Unknown roles and contents holding '<|im_start|>' or '<|im_end|>' must raise ValueError.",
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
