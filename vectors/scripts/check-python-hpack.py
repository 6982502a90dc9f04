#!/usr/bin/env python3
"""Cross-checks HPACK vectors with python-hpack (Debian python3-hpack), an
implementation independent of ours. Run with /usr/bin/python3.

  check-python-hpack.py [--json] [STORY_DIR_OR_FILE ...] [--invalid FILE]

Defaults: vectors/hpack/ and vectors/hpack-invalid.json. Stories: every case's
wire must decode to its headers (one decoder per story, `header_table_size`
applied before the case: on the first case as the initial size, later as a
new SETTINGS maximum that the encoder must acknowledge with a size update).
Invalid vectors: python-hpack must reject `wire` after accepting `preceding`.
Exit status 1 when anything disagrees, except invalid vectors listed in
KNOWN_LENIENT (rules python-hpack does not check; reported, not failed).
"""
import json, os, sys
import hpack

HERE = os.path.dirname(os.path.abspath(__file__))
VECTORS = os.path.dirname(HERE)
# python-hpack uses unbounded integers and no string-length limit, so it
# judges every vector below; keep this empty unless a vector is out of its reach.
KNOWN_LENIENT = set()

def apply_size(d, size, first):
    if size is None:
        return
    d.max_allowed_table_size = size
    if first:
        d.header_table_size = size

def check_story(path):
    s = json.load(open(path, encoding='utf-8'))
    d = hpack.Decoder(max_header_list_size=1 << 30)
    for i, c in enumerate(s['cases']):
        apply_size(d, c.get('header_table_size'), i == 0)
        want = [(k.encode('utf-8'), v.encode('utf-8')) for h in c['headers'] for k, v in h.items()]
        try:
            got = [(bytes(n), bytes(v)) for n, v in d.decode(bytes.fromhex(c['wire']), raw=True)]
        except Exception as e:
            return 'case %d: python-hpack rejects it: %s: %s' % (c.get('seqno', i), type(e).__name__, e)
        if got != want:
            k = next((k for k in range(min(len(got), len(want))) if got[k] != want[k]), min(len(got), len(want)))
            return 'case %d: header %d differs: expected %r, python-hpack %r' % (
                c.get('seqno', i), k, want[k] if k < len(want) else None, got[k] if k < len(got) else None)
    return None

def check_invalid(v):
    d = hpack.Decoder(max_header_list_size=1 << 30)
    steps = v.get('preceding', []) + [v]
    for i, c in enumerate(steps):
        apply_size(d, c.get('header_table_size'), i == 0)
        try:
            d.decode(bytes.fromhex(c['wire']), raw=True)
        except Exception as e:
            if c is v:
                return None, '%s: %s' % (type(e).__name__, e)
            return 'preceding case %d rejected: %s' % (i, e), None
    return 'accepted', None

def main(argv):
    as_json = '--json' in argv
    argv = [a for a in argv if a != '--json']
    invalid = os.path.join(VECTORS, 'hpack-invalid.json')
    if '--invalid' in argv:
        k = argv.index('--invalid'); invalid = argv[k + 1]; del argv[k:k + 2]
    paths = argv or [os.path.join(VECTORS, 'hpack')]
    files = []
    for p in paths:
        files += sorted(os.path.join(p, f) for f in os.listdir(p) if f.endswith('.json')) if os.path.isdir(p) else [p]
    report = {'stories': [], 'invalid': []}
    bad = 0
    for f in files:
        err = check_story(f)
        bad += err is not None
        report['stories'].append({'file': os.path.relpath(f), 'ok': err is None, 'detail': err})
    for v in json.load(open(invalid, encoding='utf-8'))['vectors'] if invalid and os.path.exists(invalid) else []:
        err, why = check_invalid(v)
        lenient = err == 'accepted' and v['id'] in KNOWN_LENIENT
        bad += err is not None and not lenient
        report['invalid'].append({'id': v['id'], 'ok': err is None, 'detail': err or why, 'known_lenient': lenient})
    if as_json:
        json.dump(report, sys.stdout, indent=2); print()
    else:
        for r in report['stories']:
            print('%-4s %s%s' % ('ok' if r['ok'] else 'FAIL', r['file'], '' if r['ok'] else '  ' + r['detail']))
        for r in report['invalid']:
            print('%-4s invalid %-32s %s' % ('ok' if r['ok'] else ('lenient' if r['known_lenient'] else 'FAIL'), r['id'], r['detail']))
        print('python-hpack %s: %d stories, %d invalid vectors, %d disagreements'
              % (hpack.__version__, len(report['stories']), len(report['invalid']), bad))
    return 1 if bad else 0

if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
