OK_FORMAT = True

test = {   'name': 'q1',
    'points': 3,
    'suites': [   {   'cases': [   {   'code': ">>> assert train_on_chunks({'low': 5, 'lower': 2, 'newest': 6, 'widest': 3}, 4) == {(101, 115): 256, (256, 116): 257, (108, 111): 258, (258, 119): "
                                               '259}\n',
                                       'failure_message': "Sennrich's example: with counts low 5, lower 2, newest 6, widest 3, the pair 'es' occurs 6 + 3 = 9 times, more than any other, so merge 256 "
                                                          "is (101, 115); then 'est' (256, 116), 'lo' and 'low'. Count pairs inside each chunk, weighted by its count.",
                                       'hidden': False,
                                       'locked': False},
                                   {   'code': ">>> assert list(train_on_chunks({'ab': 1, 'ba': 1}, 1)) == [(97, 98)]\n"
                                               ">>> assert train_on_chunks({'ab': 4}, 10) == {(97, 98): 256}\n"
                                               '>>> assert train_on_chunks({}, 3) == {}\n',
                                       'failure_message': "Pairs never cross chunks and training stops when no pair is left: {'ab': 1, 'ba': 1} has no (98, 98) pair; {'ab': 4} allows one merge only, "
                                                          'however many you ask for; {} gives {}. Ties go to the smallest pair.',
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
