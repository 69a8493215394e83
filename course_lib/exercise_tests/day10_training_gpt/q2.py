OK_FORMAT = True

test = {   'name': 'q2',
    'points': 2,
    'suites': [   {   'cases': [   {   'code': '>>> assert [round(warmup_cosine(s, 10, 2, 1.0, 0.0), 3) for s in (0, 1, 2, 6, 10)] == [0.5, 1.0, 1.0, 0.5, 0.0]\n',
                                       'failure_message': 'With max_steps 10, warmup_steps 2, peak 1.0, min 0.0: steps 0 and 1 give 0.5 and 1.0 (linear warm-up), step 2 gives 1.0 (cosine at progress '
                                                          '0), step 6 gives 0.5 (progress 1/2) and step 10 gives 0.0.',
                                       'hidden': False,
                                       'locked': False},
                                   {   'code': '>>> assert math.isclose(warmup_cosine(100, 100, 10, 0.003, 0.0003), 0.0003)\n'
                                               '>>> assert math.isclose(warmup_cosine(150, 100, 10, 0.003, 0.0003), 0.0003)\n',
                                       'failure_message': 'The decay ends at min_lr, not 0: warmup_cosine(100, 100, 10, 3e-3, 3e-4) is 3e-4, and so is any later step.',
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
