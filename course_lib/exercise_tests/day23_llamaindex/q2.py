OK_FORMAT = True

test = {   'name': 'q2',
    'points': 2,
    'suites': [   {   'cases': [   {   'code': ">>> hits = [NodeWithScore(node=TextNode(id_=f'n{i}', text='...', metadata={'source': s}), score=1 - i / 10) for i, s in enumerate(['a.md', 'a.md', "
                                               "'b.md', 'a.md', 'c.md'])]\n"
                                               '>>> kept = SourceDiversity(max_per_source=2).postprocess_nodes(hits)\n'
                                               ">>> assert [h.node.node_id for h in kept] == ['n0', 'n1', 'n2', 'n4']\n"
                                               '>>> assert [h.score for h in kept] == [1.0, 0.9, 0.8, 0.6]\n'
                                               ">>> assert [h.node.node_id for h in SourceDiversity(max_per_source=1).postprocess_nodes(hits)] == ['n0', 'n2', 'n4']\n",
                                       'failure_message': "With sources a, a, b, a, c and max_per_source=2, the third 'a' (n3) is dropped: keep n0, n1, n2, n4, in order, with their scores unchanged. "
                                                          'With max_per_source=1 only n0, n2, n4 remain.',
                                       'hidden': False,
                                       'locked': False},
                                   {   'code': ">>> engine = index.as_query_engine(similarity_top_k=10, response_mode='no_text', node_postprocessors=[SourceDiversity(max_per_source=2)])\n"
                                               ">>> counts = Counter((n.node.metadata['source'] for n in engine.query(question).source_nodes))\n"
                                               '>>> assert counts and max(counts.values()) <= 2\n',
                                       'failure_message': 'Inside a query engine with top 10 and max_per_source=2, no page may appear more than twice among the source nodes.',
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
