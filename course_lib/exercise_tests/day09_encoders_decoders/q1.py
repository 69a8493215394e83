OK_FORMAT = True

test = {   'name': 'q1',
    'points': 3,
    'suites': [   {   'cases': [   {   'code': '>>> ids_check = np.array([101, 7, 8, 9, 102])\n'
                                               '>>> result_inputs, result_labels = mlm_mask(ids_check, np.random.default_rng(0), mask_id=103, vocab_size=200, special_ids=(101, 102), p=1.0)\n'
                                               '>>> assert np.array_equal(np.asarray(result_labels), [-100, 7, 8, 9, -100])\n'
                                               '>>> assert np.asarray(result_inputs)[0] == 101 and np.asarray(result_inputs)[4] == 102\n'
                                               '>>> assert all((0 <= v < 200 or v == 103 for v in np.asarray(result_inputs)[1:4]))\n'
                                               '>>> assert np.array_equal(ids_check, [101, 7, 8, 9, 102])\n',
                                       'failure_message': 'With p=1.0 every ordinary position is chosen and special ones never: labels for [101, 7, 8, 9, 102] with special_ids (101, 102) must be '
                                                          '[-100, 7, 8, 9, -100]. Inputs keep the special ids, and every other input is 103 ([MASK]), a random id below vocab_size, or the original '
                                                          'id. Return two numpy arrays (inputs, labels) and do not change ids.',
                                       'hidden': False,
                                       'locked': False},
                                   {   'code': '>>> many = np.random.default_rng(1).integers(5, 1000, size=100000)\n'
                                               '>>> result_inputs, result_labels = (np.asarray(a) for a in mlm_mask(many, np.random.default_rng(2), mask_id=3, vocab_size=1000))\n'
                                               '>>> picked = result_labels != -100\n'
                                               '>>> assert abs(picked.mean() - 0.15) < 0.01\n'
                                               '>>> assert abs((result_inputs[picked] == 3).mean() - 0.8) < 0.02 and abs((result_inputs[picked] == many[picked]).mean() - 0.1) < 0.02\n'
                                               '>>> again = mlm_mask(many, np.random.default_rng(2), mask_id=3, vocab_size=1000)\n'
                                               '>>> assert np.array_equal(np.asarray(again[0]), result_inputs)\n',
                                       'failure_message': 'On 100,000 ordinary tokens with p=0.15, about 15% must be chosen (labels != -100), and of the chosen about 80% become mask_id, about 10% '
                                                          'keep their id. Draw with rng only: the same seed must give the same result.',
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
