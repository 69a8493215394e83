OK_FORMAT = True

test = {   'name': 'q1',
    'points': 3,
    'suites': [   {   'cases': [   {   'code': ">>> doc_id = next((d for d, n in Counter((c.metadata['id'] for c in book_chunks())).items() if n >= 3))\n"
                                               ">>> sample = [c for c in book_chunks() if c.metadata['id'] == doc_id][:3]\n"
                                               '>>> nodes = chunks_to_linked_nodes(sample)\n'
                                               ">>> assert [n.node_id for n in nodes] == [c.metadata['chunk_id'] for c in sample]\n"
                                               '>>> assert nodes[1].prev_node.node_id == nodes[0].node_id and nodes[1].next_node.node_id == nodes[2].node_id\n'
                                               '>>> assert all((n.source_node.node_id == doc_id for n in nodes))\n',
                                       'failure_message': "Take the first three chunks of one document: the middle node's PREVIOUS is the first, its NEXT the third, and every node's SOURCE is the "
                                                          "document's id (metadata['id']). Ids are the chunk ids.",
                                       'hidden': False,
                                       'locked': False},
                                   {   'code': ">>> docs = [Document('a b c d e f', {'id': 'p#0'}), Document('g h', {'id': 'p#1'})]\n"
                                               ">>> nodes = chunks_to_linked_nodes(TextChunker('fixed', 3, 0, tokenizer='whitespace').split_documents(docs))\n"
                                               ">>> assert [n.node_id for n in nodes] == ['p#0:0', 'p#0:1', 'p#1:0']\n"
                                               ">>> assert nodes[0].next_node.node_id == 'p#0:1' and nodes[1].prev_node.node_id == 'p#0:0'\n"
                                               ">>> assert nodes[1].next_node is None and nodes[2].prev_node is None and (nodes[2].source_node.node_id == 'p#1')\n",
                                       'failure_message': 'Links stay inside a document: with documents p#0 (chunks p#0:0, p#0:1) and p#1 (chunk p#1:0), p#0:1 has no NEXT and p#1:0 has no PREVIOUS; '
                                                          'its SOURCE is p#1.',
                                       'hidden': False,
                                       'locked': False},
                                   {   'code': '>>> sample = book_chunks()[:4]\n'
                                               '>>> nodes = chunks_to_linked_nodes(sample)\n'
                                               '>>> assert [n.get_content(metadata_mode=MetadataMode.EMBED) for n in nodes] == [c.text for c in sample]\n'
                                               '>>> assert [n.metadata for n in nodes] == [c.metadata for c in sample]\n',
                                       'failure_message': "The embedded text must be exactly the chunk's text (no 'source: ...' lines): exclude every metadata key for embedding and for the LLM, and "
                                                          'keep the metadata itself on the node.',
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
