#!/usr/bin/env python3
"""Generates the HPACK vectors of vectors/ (run with /usr/bin/python3).

  vectors/hpack/rfc7541-*.json   RFC 7541 Appendix C.2-C.6, wires and header
                                 lists taken from the RFC text itself
  vectors/hpack/edge-*.json      edge stories, wires built here bit by bit
  vectors/hpack-invalid.json     blocks every decoder must reject

Every wire is built from first principles (integers §5.1, strings §5.2,
representations §6) rather than by an encoder under test, then cross-checked
with python-hpack by check-python-hpack.py. Usage:

  /usr/bin/python3 vectors/scripts/make-hpack-vectors.py [RFC7541.txt]
"""
import json, os, re, sys
from hpack.huffman import HuffmanEncoder
from hpack.huffman_constants import REQUEST_CODES, REQUEST_CODES_LENGTH

HERE = os.path.dirname(os.path.abspath(__file__))
VECTORS = os.path.dirname(HERE)
HUFF = HuffmanEncoder(REQUEST_CODES, REQUEST_CODES_LENGTH)

# --- primitives (RFC 7541 §5) -------------------------------------------------

def integer(value, prefix, first=0):
    """§5.1: value with an N-bit prefix; `first` holds the pattern bits."""
    top = (1 << prefix) - 1
    if value < top:
        return bytes([first | value])
    out = [first | top]
    value -= top
    while value >= 128:
        out.append((value & 127) | 128)
        value >>= 7
    out.append(value)
    return bytes(out)

def string(data, huffman=False):
    """§5.2: a string literal, raw or Huffman coded."""
    if isinstance(data, str):
        data = data.encode('utf-8')
    if huffman:
        data = HUFF.encode(data)
    return integer(len(data), 7, 0x80 if huffman else 0) + data

def huffman_bits(data):
    return sum(REQUEST_CODES_LENGTH[b] for b in data)

def indexed(i):                       # §6.1
    return integer(i, 7, 0x80)

def literal(kind, name, value, huffman=False):
    """§6.2: kind = 'inc' (0x40, 6-bit), 'no' (0x00, 4-bit), 'never' (0x10, 4-bit);
    name is an index (int) or a string."""
    pattern, prefix = {'inc': (0x40, 6), 'no': (0x00, 4), 'never': (0x10, 4)}[kind]
    if isinstance(name, int):
        head = integer(name, prefix, pattern)
    else:
        head = bytes([pattern]) + string(name, huffman)
    return head + string(value, huffman)

def size_update(n):                   # §6.3
    return integer(n, 5, 0x20)

def case(seqno, wire, headers, table_size=None):
    c = {'seqno': seqno}
    if table_size is not None:
        c['header_table_size'] = table_size
    c['wire'] = wire.hex()
    c['headers'] = [{n: v} for n, v in headers]
    return c

def story(description, cases):
    return {'description': description, 'cases': cases}

# --- Appendix C, parsed from the RFC text ----------------------------------------

def appendix_c(rfc_path):
    text = open(rfc_path, encoding='utf-8').read()
    text = re.sub(r'\n\n[^\n]*\[Page \d+\]\n\x0c\nRFC 7541[^\n]*\n', '\n', text)
    start = text.index('\nC.2.  Header Field Representation Examples')
    text = text[start:]
    sections = re.split(r'\n(C\.\d\.\d\.)  ([^\n]+)\n', text)
    out = {}
    for i in range(1, len(sections) - 1, 3):
        num, title, body = sections[i], sections[i + 1], sections[i + 2]
        hl = re.search(r'Header list to encode:\n\n(.*?)\n\n   Hex dump', body, re.S).group(1)
        headers = [tuple(line.strip().split(': ', 1)) if not line.strip().startswith(':') else
                   (':' + line.strip()[1:].split(': ', 1)[0], line.strip()[1:].split(': ', 1)[1])
                   for line in hl.split('\n') if line.strip()]
        dump = re.search(r'Hex dump of encoded data:\n\n(.*?)\n\n', body, re.S).group(1)
        wire = ''.join(line.split('|')[0].replace(' ', '') for line in dump.split('\n'))
        out[num.rstrip('.')] = (title, bytes.fromhex(wire), headers)
    return out

def appendix_c_stories(rfc_path):
    c = appendix_c(rfc_path)
    files = {}
    for n, slug in [('C.2.1', 'literal-with-indexing'), ('C.2.2', 'literal-without-indexing'),
                    ('C.2.3', 'literal-never-indexed'), ('C.2.4', 'indexed')]:
        title, wire, headers = c[n]
        files['rfc7541-c2-%s-%s.json' % (n[-1], slug)] = story(
            'RFC 7541 Appendix %s: %s (independent block, fresh context)' % (n, title),
            [case(0, wire, headers)])
    for sec, slug, size, what in [('C.3', 'requests-raw', None, 'requests without Huffman coding'),
                                  ('C.4', 'requests-huffman', None, 'requests with Huffman coding'),
                                  ('C.5', 'responses-raw', 256, 'responses without Huffman coding, SETTINGS_HEADER_TABLE_SIZE 256 (evictions)'),
                                  ('C.6', 'responses-huffman', 256, 'responses with Huffman coding, SETTINGS_HEADER_TABLE_SIZE 256 (evictions)')]:
        cases = []
        for k in range(1, 4):
            title, wire, headers = c['%s.%d' % (sec, k)]
            cases.append(case(k - 1, wire, headers, size if k == 1 else None))
        files['rfc7541-%s-%s.json' % (sec[-1] and 'c' + sec[-1], slug)] = story(
            'RFC 7541 Appendix %s: %s; one connection, three header blocks' % (sec, what), cases)
    return files

# --- edge stories ---------------------------------------------------------------

def edge_stories():
    f = {}
    foo = ('foo', 'bar')

    # Table size 0 from the start (SETTINGS_HEADER_TABLE_SIZE = 0).
    f['edge-table-size-zero.json'] = story(
        'SETTINGS_HEADER_TABLE_SIZE 0: a size update to 0 is allowed; an incremental-indexing '
        'literal is decoded but its entry never fits (§4.4), so the table stays empty',
        [case(0, size_update(0) + literal('inc', 'foo', 'bar') + indexed(2), [foo, (':method', 'GET')], 0),
         case(1, literal('inc', 'foo', 'bar') + literal('inc', 1, 'a') + literal('no', 'foo', 'baz'),
              [foo, (':authority', 'a'), ('foo', 'baz')]),
         case(2, literal('inc', 'foo', 'bar'), [foo])])

    # Size updates up and down within a story (§4.2, §6.3).
    f['edge-size-updates.json'] = story(
        'dynamic table size updates down and up within one story: two updates at the start of a '
        'block (smallest, then final, §4.2), an update that evicts, an update back up, and '
        'SETTINGS_HEADER_TABLE_SIZE changes between blocks',
        [case(0, literal('inc', 'foo', 'bar') + literal('inc', 'baz', 'qux') + indexed(62) + indexed(63),
              [foo, ('baz', 'qux'), ('baz', 'qux'), foo]),
         # shrink to 38 keeps only baz:qux (38 octets), then back to 4096
         case(1, size_update(38) + size_update(4096) + indexed(62) + literal('inc', 'x', 'y'),
              [('baz', 'qux'), ('x', 'y')]),
         # 0 then 4096: the table is emptied, the new entry is index 62
         case(2, size_update(0) + size_update(4096) + literal('inc', 'k', 'v') + indexed(62),
              [('k', 'v'), ('k', 'v')]),
         # SETTINGS lowered to 100: the block must start with an update <= 100
         case(3, size_update(100) + indexed(62) + literal('inc', 'long-name', 'x' * 40) + indexed(62),
              [('k', 'v'), ('long-name', 'x' * 40), ('long-name', 'x' * 40)], 100),
         # SETTINGS raised to 8192: the encoder may grow the table past 4096
         # (k:v was evicted by long-name: 34 + 81 > 100)
         case(4, size_update(8192) + indexed(62) + literal('inc', 'k', 'v' * 5000) + indexed(63),
              [('long-name', 'x' * 40), ('k', 'v' * 5000), ('long-name', 'x' * 40)], 8192),
         case(5, size_update(33) + literal('inc', '', 'a') + indexed(62),
              [('', 'a'), ('', 'a')])])

    # Eviction of every entry by one insertion that still fits (§4.4).
    big = 'v' * (256 - 32 - 3)             # entry of exactly 256 octets with name "big"
    f['edge-evict-all.json'] = story(
        'table of 256 octets: three entries, then one entry of exactly 256 octets that evicts '
        'every older entry (§4.4) and is itself index 62',
        [case(0, literal('inc', 'a', '1') + literal('inc', 'b', '2') + literal('inc', 'c', '3') + indexed(64),
              [('a', '1'), ('b', '2'), ('c', '3'), ('a', '1')], 256),
         case(1, literal('inc', 'big', big) + indexed(62), [('big', big), ('big', big)]),
         case(2, literal('inc', 'd', '4') + indexed(62), [('d', '4'), ('d', '4')])])

    # An entry larger than the table: the table is emptied, no error (§4.4).
    huge = 'w' * 300
    f['edge-entry-larger-than-table.json'] = story(
        'an entry larger than the whole table (4096) is not an error: every entry is evicted '
        'and the table stays empty (§4.4); the next insertion becomes index 62',
        [case(0, literal('inc', 'a', '1') + indexed(62), [('a', '1'), ('a', '1')], None),
         case(1, literal('inc', 'x-huge', 'h' * 4100), [('x-huge', 'h' * 4100)]),
         case(2, literal('inc', 'b', '2') + indexed(62), [('b', '2'), ('b', '2')]),
         case(3, size_update(256) + literal('inc', 'c', huge) + literal('inc', 'd', '4') + indexed(62),
              [('c', huge), ('d', '4'), ('d', '4')])])

    # Longest integer prefixes: each prefix width at 2^N-1 and just around it (§5.1).
    fill = [('f%02d' % i, 'v') for i in range(70)]
    fill_wire = b''.join(literal('inc', n, v) for n, v in fill)
    newest_first = list(reversed(fill))
    def dyn(i): return newest_first[i - 62]
    f['edge-integer-prefixes.json'] = story(
        'integers at every prefix boundary (§5.1): 7-bit indexes 126, 127 (0xff 0x00), 128; '
        '6-bit name index 62, 63 (0x7f 0x00), 64; 4-bit name index 14, 15 (0x0f 0x00), 16; '
        '7-bit string lengths 126, 127, 128 and a 3-octet length; 5-bit size updates 30, 31, 32 '
        'and a 5-octet size update (2^31-1) under a SETTINGS_HEADER_TABLE_SIZE of 2^31-1',
        [case(0, fill_wire, fill),
         case(1, indexed(126) + indexed(127) + indexed(128) + indexed(131),
              [dyn(126), dyn(127), dyn(128), dyn(131)]),
         case(2, literal('no', 62, 'x') + literal('no', 63, 'y') + literal('no', 64, 'z')
              + literal('never', 14, 'a') + literal('never', 15, 'b') + literal('no', 16, 'c')
              + literal('no', 61, 'd'),
              [(dyn(62)[0], 'x'), (dyn(63)[0], 'y'), (dyn(64)[0], 'z'), (':status', 'a'),
               ('accept-charset', 'b'), ('accept-encoding', 'c'), ('www-authenticate', 'd')]),
         case(3, literal('no', 'n', 'a' * 126) + literal('no', 'n', 'b' * 127) + literal('no', 'n', 'c' * 128)
              + literal('no', 'n' * 127, 'd' * 16384),
              [('n', 'a' * 126), ('n', 'b' * 127), ('n', 'c' * 128), ('n' * 127, 'd' * 16384)]),
         case(4, size_update(30) + size_update(31) + indexed(2), [(':method', 'GET')]),
         case(5, size_update(32) + literal('inc', '', '') + indexed(62), [('', ''), ('', '')]),
         case(6, size_update(2 ** 31 - 1) + literal('inc', 'g', 'h') + indexed(62),
              [('g', 'h'), ('g', 'h')], 2 ** 31 - 1),
         case(7, size_update(4096) + indexed(62), [('g', 'h')])])

    # Empty names and values.
    f['edge-empty-strings.json'] = story(
        'empty names and values, raw and Huffman coded (a Huffman string of length 0), '
        'an empty entry in the table (32 octets), and a static name with an empty value',
        [case(0, literal('inc', '', '') + indexed(62) + literal('no', '', 'v') + literal('never', 'n', '')
              + bytes([0x40, 0x80, 0x80]) + literal('no', 1, '') + indexed(1),
              [('', ''), ('', ''), ('', 'v'), ('n', ''), ('', ''), (':authority', ''), (':authority', '')]),
         case(1, indexed(62) + indexed(63) + literal('inc', 63, ''), [('', ''), ('', ''), ('', '')]),
         case(2, size_update(0) + indexed(1), [(':authority', '')])])

    # Sensitive fields: never indexed (§6.2.3, §7.1.3).
    f['edge-sensitive.json'] = story(
        'never-indexed literals (§6.2.3) with a static name, a new name, a Huffman-coded value '
        'and a 4-bit name index beyond 15; none enters the table: the next insertion is index 62',
        [case(0, literal('never', 23, 'Basic dXNlcjpwYXNz') + literal('never', 32, 'sid=1')
              + literal('never', 'password', 'secret', True) + literal('never', 55, 'id=a; Secure'),
              [('authorization', 'Basic dXNlcjpwYXNz'), ('cookie', 'sid=1'), ('password', 'secret'),
               ('set-cookie', 'id=a; Secure')]),
         case(1, literal('inc', 'x', 'y') + indexed(62) + literal('never', 62, 'z'),
              [('x', 'y'), ('x', 'y'), ('x', 'z')]),
         case(2, indexed(62), [('x', 'y')])])

    # Huffman boundaries (§5.2, Appendix B).
    ascii_all = bytes(range(128)).decode('ascii')
    # every byte that can occur in UTF-8 text: continuation 0x80-0xbf, leads 0xc2-0xf4
    utf8 = ''.join(chr(cp) for cp in list(range(0x80, 0xc0)) + list(range(0xc0, 0x800, 0x40))) \
        + ''.join(chr(0x800)) + ''.join(chr((k << 12) | 0x100) for k in range(1, 16)) \
        + '\U00010000\U00040000\U00080000\U000c0000\U00100000'
    covered = set((ascii_all + utf8).encode('utf-8'))
    assert covered == set(range(256)) - {0xc0, 0xc1} - set(range(0xf5, 0x100)), sorted(set(range(256)) - covered)
    pads = []
    for want in range(8):              # padding 0..7 bits: the shortest word of a-z with it
        words = [chr(c) for c in range(0x61, 0x7b)]
        while not any((8 - huffman_bits(w.encode()) % 8) % 8 == want for w in words):
            words = [w + chr(c) for w in words for c in range(0x61, 0x7b)]
        pads.append((want, next(w for w in words if (8 - huffman_bits(w.encode()) % 8) % 8 == want)))
    assert len(pads) == 8, pads
    f['edge-huffman.json'] = story(
        'Huffman coding (§5.2, Appendix B): every code of every ASCII byte 0x00-0x7f and every '
        'byte that UTF-8 text can hold (0x80-0xbf, 0xc2-0xf4; 0xc0, 0xc1, 0xf5-0xff cannot appear '
        'in this JSON format); the 30-bit codes (0x0a, 0x0d, 0x16); padding of 0 to 7 bits; '
        'a Huffman string longer than its raw form; Huffman-coded names',
        [case(0, literal('no', 'all-ascii', ascii_all, True) + literal('no', 'utf8', utf8, True),
              [('all-ascii', ascii_all), ('utf8', utf8)]),
         case(1, literal('no', 'thirty-bit', '\n\r\x16', True) + literal('no', 'crlf', '\r\n' * 10, True)
              + literal('no', 1, '\x16', True),
              [('thirty-bit', '\n\r\x16'), ('crlf', '\r\n' * 10), (':authority', '\x16')]),
         case(2, b''.join(literal('no', 'pad-%d' % p, w, True) for p, w in pads),
              [('pad-%d' % p, w) for p, w in pads]),
         case(3, literal('inc', 'x-huffman-name', 'raw-value') + indexed(62)
              + literal('inc', 62, 'huff', True) + indexed(62),
              [('x-huffman-name', 'raw-value'), ('x-huffman-name', 'raw-value'),
               ('x-huffman-name', 'huff'), ('x-huffman-name', 'huff')])])
    # case 3: make the first name Huffman coded but its value raw
    c3 = f['edge-huffman.json']['cases'][3]
    c3['wire'] = (bytes([0x40]) + string('x-huffman-name', True) + string('raw-value')
                  + indexed(62) + literal('inc', 62, 'huff', True) + indexed(62)).hex()
    return f

# --- negative vectors -----------------------------------------------------------------

def invalid_vectors():
    v = []
    def add(id, description, wire, error, section, table_size=None, preceding=None):
        e = {'id': id, 'description': description}
        if preceding:
            e['preceding'] = [dict(({'header_table_size': t} if t is not None else {}), wire=w.hex())
                              for w, t in preceding]
        if table_size is not None:
            e['header_table_size'] = table_size
        e['wire'] = wire.hex()
        e['error'] = error
        e['section'] = section
        v.append(e)
    one = literal('inc', 'foo', 'bar')
    add('index-zero', 'indexed field with index 0', bytes([0x80]),
        'index 0 is not used', '6.1')
    add('index-empty-dynamic', 'index 62 while the dynamic table is empty', bytes([0xbe]),
        'index beyond the static and dynamic tables', '2.3.3')
    add('index-127-empty', 'index 127 (0xff 0x00) while the dynamic table is empty', bytes([0xff, 0x00]),
        'index beyond the static and dynamic tables', '2.3.3')
    add('index-one-past-end', 'index 63 with one dynamic entry', bytes([0xbf]),
        'index beyond the static and dynamic tables', '2.3.3', preceding=[(one, None)])
    add('name-index-beyond', 'literal with incremental indexing whose name index 62 is not in the table',
        literal('inc', 62, 'x'), 'index beyond the static and dynamic tables', '2.3.3')
    add('name-index-beyond-never', 'never-indexed literal whose name index 70 is not in the table',
        literal('never', 70, 'x'), 'index beyond the static and dynamic tables', '2.3.3')
    add('index-evicted-by-update', 'reference to an entry evicted by a size update to 0',
        size_update(0) + indexed(62), 'index beyond the static and dynamic tables', '4.3',
        preceding=[(one, None)])
    add('index-evicted-by-large-entry', 'reference to an entry evicted by an entry larger than the table',
        literal('inc', 'x', 'y' * 4100) + indexed(62), 'index beyond the static and dynamic tables', '4.4',
        preceding=[(one, None)])
    add('size-update-after-field', 'dynamic table size update after a field',
        indexed(2) + size_update(4096), 'a size update must come at the start of a header block', '4.2')
    add('size-update-after-literal', 'dynamic table size update after a literal',
        one + size_update(0), 'a size update must come at the start of a header block', '4.2')
    add('size-update-above-max', 'size update to 4097 under SETTINGS_HEADER_TABLE_SIZE 4096',
        size_update(4097), 'a size update above SETTINGS_HEADER_TABLE_SIZE', '6.3')
    add('size-update-above-zero', 'size update to 1 under SETTINGS_HEADER_TABLE_SIZE 0',
        size_update(1), 'a size update above SETTINGS_HEADER_TABLE_SIZE', '6.3', table_size=0)
    add('size-update-above-lowered', 'SETTINGS lowered to 256 between blocks; the update asks for 4096',
        size_update(4096) + indexed(2), 'a size update above SETTINGS_HEADER_TABLE_SIZE', '6.3',
        table_size=256, preceding=[(indexed(2), None)])
    add('size-update-missing', 'SETTINGS lowered to 0 between blocks while the table holds an entry; '
        'the next block does not start with a size update',
        indexed(2), 'the first block after a smaller SETTINGS_HEADER_TABLE_SIZE must start with a size update',
        '4.2', table_size=0, preceding=[(one, None)])
    add('integer-overflow-index', 'an index above 2^63 (ten continuation octets)',
        bytes([0xff]) + bytes([0xff] * 9) + bytes([0x01]), 'integer overflow', '5.1')
    add('integer-overflow-size-update', 'a size update of more than 2^64',
        bytes([0x3f]) + bytes([0xff] * 10) + bytes([0x01]), 'integer overflow', '5.1')
    add('integer-overflow-length', 'a string length of more than 2^64',
        bytes([0x40, 0x7f]) + bytes([0xff] * 10) + bytes([0x01]), 'integer overflow', '5.1')
    add('integer-truncated', 'a block ending inside an integer (0xff with no continuation)',
        bytes([0xff]), 'the block ends inside a representation', '5.1')
    add('integer-truncated-continuation', 'a block ending after a continuation octet',
        bytes([0xff, 0x80]), 'the block ends inside a representation', '5.1')
    add('literal-truncated-name-length', 'literal with a new name and nothing after the first octet',
        bytes([0x40]), 'the block ends inside a representation', '6.2.1')
    add('literal-truncated-value-length', 'literal with an indexed name and no value',
        bytes([0x41]), 'the block ends inside a representation', '6.2.1')
    add('string-truncated', 'string length 3 with 2 octets left',
        bytes.fromhex('40036162'), 'string longer than the rest of the block', '5.2')
    add('string-truncated-value', 'value length 10 with 3 octets left',
        literal('no', 1, 'abc')[:1] + bytes([10]) + b'abc', 'string longer than the rest of the block', '5.2')
    add('huffman-padding-8-bits', 'Huffman string 0xff: 8 bits of padding', bytes.fromhex('4181ff'),
        'Huffman padding longer than 7 bits', '5.2')
    add('huffman-padding-11-bits', "Huffman 'a' (00011) followed by 11 one-bits",
        literal('no', 1, b'')[:1] + bytes([0x82, 0x1f, 0xff]), 'Huffman padding longer than 7 bits', '5.2')
    add('huffman-padding-zeros', "Huffman 'a' (00011) padded with 000",
        bytes([0x01, 0x81, 0x18]), 'Huffman padding that is not the most significant bits of EOS', '5.2')
    add('huffman-padding-mixed', "Huffman '0' (00000) padded with 101",
        bytes([0x01, 0x81, 0x05]), 'Huffman padding that is not the most significant bits of EOS', '5.2')
    add('huffman-eos', 'Huffman string holding the EOS symbol (30 one-bits) and 2 bits of padding',
        bytes([0x01, 0x84, 0xff, 0xff, 0xff, 0xff]), 'Huffman string containing EOS', '5.2')
    add('huffman-eos-after-symbol', "Huffman 'a' then EOS",
        bytes([0x01, 0x85]) + ((0b00011 << 35) | (0x3fffffff << 5) | 0b11111).to_bytes(5, 'big'),
        'Huffman string containing EOS', '5.2')
    add('huffman-name-padding', 'Huffman-coded name with 8 bits of padding', bytes([0x00, 0x81, 0xff, 0x00]),
        'Huffman padding longer than 7 bits', '5.2')
    return v

def main():
    rfc = sys.argv[1] if len(sys.argv) > 1 else os.path.join(VECTORS, '..', '..', 'shared', 'rfc', 'rfc7541-hpack.txt')
    if not os.path.exists(rfc):
        rfc = '/work/shared/rfc/rfc7541-hpack.txt'
    files = {}
    files.update(appendix_c_stories(rfc))
    files.update(edge_stories())
    out = os.path.join(VECTORS, 'hpack')
    os.makedirs(out, exist_ok=True)
    for name in os.listdir(out):
        if name.endswith('.json'):
            os.remove(os.path.join(out, name))
    for name, s in sorted(files.items()):
        assert not re.match(r'story_\d+\.json', name)
        with open(os.path.join(out, name), 'w', encoding='utf-8') as fh:
            json.dump(s, fh, indent=2, ensure_ascii=True)
            fh.write('\n')
    with open(os.path.join(VECTORS, 'hpack-invalid.json'), 'w', encoding='utf-8') as fh:
        json.dump({'description': 'HPACK header blocks every decoder must reject (COMPRESSION_ERROR, '
                   'RFC 9113 §4.3). Decode `preceding` in order with one context (each must succeed), '
                   'then `wire`; `header_table_size` is the SETTINGS_HEADER_TABLE_SIZE in force for it.',
                   'vectors': invalid_vectors()}, fh, indent=2)
        fh.write('\n')
    print('wrote %d stories and %d invalid vectors' % (len(files), len(invalid_vectors())))

if __name__ == '__main__':
    main()
