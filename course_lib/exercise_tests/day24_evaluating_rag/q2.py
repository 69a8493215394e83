OK_FORMAT = True

test = {   'name': 'q2',
    'points': 3,
    'suites': [   {   'cases': [   {   'code': ">>> assert abs(ndcg(['x', 'a', 'b'], {'a': 1.0, 'b': 1.0}, k=3) - 0.69342640361727) < 1e-09\n",
                                       'failure_message': "ndcg(['x', 'a', 'b'], {'a': 1.0, 'b': 1.0}, k=3) should be about 0.6934: DCG = 1/log2(3) + 1/log2(4), ideal DCG = 1/log2(2) + 1/log2(3).",
                                       'hidden': False,
                                       'locked': False},
                                   {   'code': ">>> assert abs(ndcg(['b', 'a'], {'a': 3.0, 'b': 1.0}, k=2) - (1 + 3 / math.log2(3)) / (3 + 1 / math.log2(3))) < 1e-09\n"
                                               ">>> assert ndcg(['a'], {}, k=1) == 0.0\n",
                                       'failure_message': "Graded gains: the ideal order puts the largest gain first. ndcg(['b', 'a'], {'a': 3.0, 'b': 1.0}, k=2) = (1 + 3/log2(3)) / (3 + 1/log2(3)); "
                                                          'and nothing relevant gives 0.0.',
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
