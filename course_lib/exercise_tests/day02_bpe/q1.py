OK_FORMAT = True

test = {   'name': 'q1',
    'points': 2,
    'suites': [   {   'cases': [   {   'code': ">>> assert dict(count_pairs_in_chunks({' the': 3, 'aaa': 1})) == {(32, 116): 3, (116, 104): 3, (104, 101): 3, (97, 97): 2}\n",
                                       'failure_message': "count_pairs_in_chunks({' the': 3, 'aaa': 1}) should give {(32, 116): 3, (116, 104): 3, (104, 101): 3, (97, 97): 2}: work on "
                                                          "chunk.encode('utf-8'), count each neighbouring pair once per position, and multiply by the chunk's count.",
                                       'hidden': False,
                                       'locked': False},
                                   {   'code': ">>> assert dict(count_pairs_in_chunks({'ab': 1, 'ba': 1})) == {(97, 98): 1, (98, 97): 1}\n"
                                               ">>> assert dict(count_pairs_in_chunks({'é': 5})) == {(195, 169): 5}\n"
                                               ">>> assert dict(count_pairs_in_chunks({})) == {} and dict(count_pairs_in_chunks({'a': 7, ' ': 2})) == {}\n",
                                       'failure_message': "Pairs never span two chunks, and bytes are UTF-8: {'ab': 1, 'ba': 1} has only (97, 98) and (98, 97), never (98, 98); 'é' is the two bytes "
                                                          '195, 169. An empty dict or one-byte chunks give no pairs at all.',
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
