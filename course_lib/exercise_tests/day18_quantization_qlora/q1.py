OK_FORMAT = True

test = {   'name': 'q1',
    'points': 2,
    'suites': [   {   'cases': [   {   'code': '>>> codes, scales = quantize_rows(torch.tensor([[0.5, -1.27], [2.0, 1.0]]))\n'
                                               '>>> assert codes.dtype == torch.int8 and codes.tolist() == [[50, -127], [127, 64]]\n'
                                               '>>> assert scales.shape == (2, 1) and torch.allclose(scales.flatten(), torch.tensor([0.01, 2 / 127]))\n',
                                       'failure_message': 'For [[0.5, -1.27], [2.0, 1.0]] the row scales are 1.27/127 = 0.01 and 2/127; the codes are round(w / scale): [[50, -127], [127, 64]], as '
                                                          'int8, and the scales have shape (2, 1).',
                                       'hidden': False,
                                       'locked': False},
                                   {   'code': '>>> codes, scales = quantize_rows(torch.tensor([[0.0, 0.0], [0.3, -0.6]]))\n'
                                               '>>> assert scales[0, 0] == 1.0 and codes[0].tolist() == [0, 0]\n'
                                               '>>> back = dequantize_rows(codes, scales)\n'
                                               '>>> assert back.dtype == torch.float32 and torch.allclose(back, torch.tensor([[0.0, 0.0], [0.3, -0.6]]), atol=0.003)\n',
                                       'failure_message': 'dequantize_rows(codes, scales) is codes * scales as float32 (shape of w); a row of zeros gets scale 1.0 and codes 0, not NaN.',
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
