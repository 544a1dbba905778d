#!/usr/bin/env python3
"""Writes the hand-made seeds of the domain fuzz targets into
tests/fuzz/corpus/{case,rma,licensing}_domain/ (run it from anywhere after
changing what a target consumes; the seeds are checked in, scripts/fuzz never
runs this).

Each seed is a short scripted session: the bytes a FuzzedDataProvider hands
out, in the order the target asks for them (integers from the end of the
input, most significant byte first; strings from the front, ended by a
backslash and another character). A seed that no longer matches the target
is still a valid input, only a less useful one: check with
`build-fuzz/tests/<target>_fuzz <seed>` and the target's own logic.
"""
import os


class Enc:
    """The input of one run: rng/b consume integers, s a string."""

    def __init__(self):
        self.front = bytearray()
        self.back = []
    def rng(self, v, lo, hi):
        assert lo <= v <= hi, (v, lo, hi)
        r, off, n = hi - lo, 0, 0
        while off < 64 and (r >> off) > 0:
            n += 1
            off += 8
        x = v - lo
        assert x < 256 ** n or n == 0
        for k in reversed(range(n)):
            self.back.append((x >> (8 * k)) & 0xFF)
        return self
    def b(self, x):
        return self.rng(1 if x else 0, 0, 255)
    def s(self, text):
        t = text.encode() if isinstance(text, str) else text
        assert len(t) < 64
        self.front += t.replace(b'\\', b'\\\\') + b'\\X'
        return self
    def bytes(self):
        return bytes(self.front) + bytes(reversed(self.back))


def case_seeds():
    OPS = 24
    ALICE, BOB, PARTNER, AGENT, DEPOT, ADMIN = range(6)
    def op(e, who, n): e.rng(who, 0, 6); e.rng(n, 0, OPS - 1)
    def cid(e, i, n=4, phone=False): e.rng(1 if phone else 2, 0, 3); e.rng(i, 0, n - 1)
    def etag(e, v=None):
        if v is None: e.rng(0, 0, 2)
        else: e.rng(1, 0, 2); e.rng(v, 0, 8)
    def events(e, who, i, n=4):
        op(e, who, 11); cid(e, i, n); e.b(True); e.rng(3, -1, 3); e.rng(0, 0, 2)
    def lines(e, spec):  # [(sku index, quantity, [serial indexes])]
        e.rng(len(spec), 0, 3)
        for sku, q, serials in spec:
            e.rng(sku, 0, 4); e.b(True); e.rng(q, -1, 4); e.rng(len(serials), 0, 3)
            for s in serials: e.rng(s, 0, 6)
            e.b(False)

    out = {}
    # Admin case 0 (ACME-001, IN_PROGRESS, an internal note): awaiting the
    # customer, the customer answers, resolved, reopened, resolved, closed.
    e = Enc()
    op(e, AGENT, 4); e.rng(3, -1, 6); cid(e, 0); etag(e)
    op(e, ALICE, 5); e.b(True); e.b(False); cid(e, 0, phone=True)
    events(e, ALICE, 0); events(e, BOB, 0)
    op(e, AGENT, 7); e.b(True); e.b(True); e.s(""); cid(e, 0); etag(e)
    op(e, ALICE, 9); e.b(True); cid(e, 0)
    op(e, AGENT, 7); e.b(True); e.b(True); e.s(""); cid(e, 0); etag(e)
    op(e, ALICE, 8); cid(e, 0)
    op(e, ALICE, 6); e.rng(1, -1, 3); e.b(True); cid(e, 0)
    out['case_lifecycle'] = e.bytes()
    # Trade-in case 2 (ACME-001, return): form, shipping instructions, a second
    # serial, units received (one unregistered): completed.
    e = Enc()
    op(e, ALICE, 20); cid(e, 2); e.rng(1, -1, 3); e.rng(0, 0, 5); e.b(False); e.rng(3, 0, 7)
    op(e, AGENT, 18); e.b(True); cid(e, 2)
    op(e, ALICE, 15); lines(e, [(0, 2, [1, 2])]); cid(e, 2); etag(e, 3)
    op(e, DEPOT, 19); e.rng(3, 0, 3)
    for s in (1, 2, 0): e.rng(s, 0, 6); e.b(True)
    cid(e, 2)
    events(e, ALICE, 2)
    op(e, BOB, 21); cid(e, 2)
    out['trade_in_return'] = e.bytes()
    # Trade-in case 3 (GLOBEX-7, destroy): a signed CoD, the line reduced to the
    # destroyed unit: completed; another account cannot download the CoD.
    e = Enc()
    op(e, BOB, 20); cid(e, 3); e.rng(2, -1, 3); e.rng(1, 0, 5); e.b(True)
    e.rng(1, 0, 2); e.rng(4, 0, 6); e.b(True); e.b(True); e.rng(0, 0, 3); e.rng(0, 0, 7)
    op(e, BOB, 15); lines(e, [(0, 1, [4])]); cid(e, 3); etag(e, 2)
    op(e, ALICE, 22); e.b(True); e.rng(1, 0, 2)
    op(e, BOB, 22); e.b(True); e.rng(1, 0, 2)
    out['trade_in_destroy'] = e.bytes()
    # A deadline extension for case 2, approved; much later the destroy case 3
    # defaults; a grey-market reinstatement (case 1) approved and applied.
    e = Enc()
    op(e, ALICE, 16); e.b(False); e.rng(0, -72, 24 * 400); e.b(True); cid(e, 2)
    op(e, AGENT, 17); e.b(True); cid(e, 2); e.s("")
    op(e, AGENT, 10); e.s("INSP-7"); cid(e, 1)
    e.rng(0, 0, 6); e.rng(23, 0, OPS - 1); e.rng(24 * 100, 0, 24 * 120)
    e.b(True)                 # case 1: its product lookup comes back
    e.b(True); e.s("")        # case 1: inventory reinstated the unit
    e.b(False)                # no service note
    events(e, BOB, 1)
    events(e, ALICE, 3)
    out['deadlines'] = e.bytes()
    # New cases: a P1 phone case of ACME-001 whose product lookup is pending, a
    # phase-2 trade-in case of GLOBEX-7 by the partner; lists page by page.
    e = Enc()
    op(e, ALICE, 0); e.rng(5, -1, 11); e.rng(1, -1, 5); e.rng(2, -1, 4); e.b(True); e.b(True)
    e.b(True); e.s("key lost"); e.b(True); e.rng(0, 0, 6); e.b(False); e.rng(0, 0, 3); e.s(""); e.b(False)
    e.rng(2, 1, 4); e.s("")
    op(e, PARTNER, 12); e.rng(1, 0, 3); e.b(True); e.b(True); e.b(False); e.rng(48, -72, 24 * 400)
    e.rng(2, -1, 3); e.rng(1, 0, 2); e.rng(1, 0, 4); lines(e, [(0, 1, [])]); e.rng(1, -1, 3)
    e.b(True); e.b(True); e.rng(150000, -2**63, 2**63 - 1)
    e.b(True); e.b(False); e.rng(1, 0, 4)
    e.rng(0, 0, 6); e.rng(23, 0, OPS - 1); e.rng(1, 0, 24 * 120); e.b(True); e.b(True); e.b(False)
    for token in (0, 1):
        op(e, PARTNER, 2); e.rng(0, -1, 6); e.rng(0, -1, 5); e.rng(2, 0, 3); e.b(True); e.b(False)
        e.b(True); e.rng(1, -1, 3); e.rng(token, 0, 2)
    op(e, PARTNER, 14); e.rng(0, -1, 4); e.rng(2, 0, 3); e.b(True); e.rng(1, -1, 3); e.rng(0, 0, 2)
    out['new_cases'] = e.bytes()
    return out


def rma_seeds():
    OPS = 18
    TSE, DEPOT, CARE, ACME, GLOBEX, ADMIN = range(6)
    def op(e, who, n): e.rng(who, 0, 6); e.rng(n, 0, OPS - 1)
    def create(e, typ, serial=0):
        op(e, TSE, 0)
        e.rng(serial, 0, 6); e.rng(0, 0, 3); e.b(True)       # serial, ACME-001, case id
        e.rng(typ, -1, 5); e.rng(1, -1, 8)                     # type, HARDWARE_FAILURE
        e.b(True)                                              # failure description
        e.rng(0, 0, 4); e.b(True); e.rng(1, 0, 6); e.b(True); e.b(False)  # ship_to US
        e.rng(0, 0, 4)                                         # e-mail
    def name(e, n_rmas, index, form=2):                        # form 0: V..., 2: label
        e.rng(1, 0, 3); e.rng(index, 0, n_rmas - 1); e.rng(form, 0, 3)
    def approve(e, n, i):
        op(e, TSE, 6); name(e, n, i, 0); e.rng(0, 0, 2)
    def background(e, hours, spares):
        e.rng(0, 0, 6); e.rng(16, 0, OPS - 1); e.rng(hours, 0, 24 * 30)
        for s in spares: e.b(s)
    def receive(e, n, i, serial=0):
        op(e, DEPOT, 9); name(e, n, i); e.rng(serial, 0, 6); e.s("")
    def close(e, n, i):
        op(e, CARE, 12); name(e, n, i); e.s("")

    out = {}
    # Advance replacement: create, approve, spare, ship, a wrong unit, the right unit, close.
    e = Enc(); create(e, 1); approve(e, 1, 0); background(e, 2, [True])
    op(e, DEPOT, 8); name(e, 1, 0); e.b(True); e.b(True)
    receive(e, 1, 0, serial=2); receive(e, 1, 0); close(e, 1, 0)
    out['advance_replacement'] = e.bytes()
    # Not returned: the sweeper charges after ten business days; then it closes.
    e = Enc(); create(e, 3); approve(e, 1, 0); background(e, 1, [True])
    op(e, DEPOT, 8); name(e, 1, 0); e.b(True); e.b(True)
    background(e, 720, []); close(e, 1, 0)
    op(e, ACME, 13); name(e, 1, 0); e.b(True); e.rng(3, -1, 3); e.rng(0, 0, 2)  # notifications
    out['non_return_charge'] = e.bytes()
    # Returned late: received after the charge (which stays), then closed.
    e = Enc(); create(e, 1); approve(e, 1, 0); background(e, 1, [True])
    op(e, DEPOT, 8); name(e, 1, 0); e.b(True); e.b(True)
    background(e, 720, []); receive(e, 1, 0); close(e, 1, 0)
    out['late_return'] = e.bytes()
    # Return to factory: create, approve, label, receive, repair, ship back, close.
    e = Enc(); create(e, 2); approve(e, 1, 0)
    op(e, ACME, 14); name(e, 1, 0)
    receive(e, 1, 0)
    op(e, DEPOT, 10); name(e, 1, 0); e.b(True); e.s("21.4R3-S5")
    op(e, DEPOT, 11); name(e, 1, 0); e.b(True); e.b(True)
    close(e, 1, 0)
    out['return_to_factory'] = e.bytes()
    # The customer amends (type, etag v1), another customer cannot cancel it, then it cancels.
    e = Enc(); create(e, 1)
    op(e, ACME, 4); name(e, 1, 0, 0); e.rng(1, 0, 2); e.rng(1, 0, 8)   # name, etag v1
    e.rng(1, 0, 3); e.rng(0, 0, 5)                                     # mask: type
    e.rng(2, -1, 5); e.rng(1, -1, 8); e.s("fans"); e.rng(0, 0, 4); e.b(True); e.rng(1, 0, 6); e.b(True); e.b(False); e.rng(0, 0, 4)
    op(e, GLOBEX, 5); name(e, 1, 0, 0); e.s(""); e.rng(0, 0, 2)
    op(e, ACME, 5); name(e, 1, 0, 0); e.s("resolved remotely"); e.rng(0, 0, 2)
    create(e, 4)
    out['amend_cancel'] = e.bytes()
    return out


def licensing_seeds():
    OPS = 16
    ADMIN, ACME, GLOBEX, CARE, SERVICE = range(5)
    def op(e, who, n): e.rng(who, 0, 5); e.rng(n, 0, OPS - 1)
    def buy(e, account=0, term=2, months=12, key=True, devices=1):
        op(e, ADMIN, 0); e.rng(account, 0, 3); e.rng(0, 0, 2); e.b(True); e.rng(48, -2**63, 2**63 - 1)
        e.rng(term, -1, 3); e.rng(1, -1, 3); e.b(True); e.rng(months, 0, 13); e.b(key)
        e.b(True); e.rng(devices, 0, 3); e.s("SO-1")
    def activate(e, who, code, ncodes, device, typed=3):
        op(e, who, 3); e.rng(1, 0, 4); e.rng(code, 0, ncodes - 1); e.rng(typed, 0, 4); e.rng(device, 0, 5)
    def pick(e, i, n): e.rng(1, 0, 3); e.rng(i, 0, n - 1)
    def verify(e, key, nkeys, device):
        op(e, SERVICE, 12); pick(e, key, nkeys); e.b(False); e.rng(device, 0, 5); e.b(False)
    def rma(e, n, numbered, account, status, serial, replacement):
        e.rng(0, 0, 5); e.rng(14, 0, OPS - 1); e.rng(n, 1, 2); e.b(numbered); e.rng(account, 0, 3)
        e.rng(status, 0, 6); e.rng(serial, 0, 5); e.b(False); e.rng(replacement, 0, 5)
    def clock(e, hours): e.rng(0, 0, 5); e.rng(15, 0, OPS - 1); e.rng(hours, 0, 24 * 400)

    out = {}
    # Two devices on one code, an RMA transfer of the first (twice), keys verified.
    e = Enc()
    buy(e, devices=2)
    activate(e, ACME, 0, 1, 1, typed=0); activate(e, ACME, 0, 1, 0); activate(e, ACME, 0, 1, 2)
    activate(e, GLOBEX, 0, 1, 4)
    rma(e, 1, True, 0, 1, 0, 3)
    for _ in range(2):
        op(e, ACME, 6); e.rng(0, 0, 6)
    verify(e, 0, 3, 0); verify(e, 2, 3, 3)
    op(e, GLOBEX, 7); e.rng(2, 0, 6)
    op(e, ACME, 10); e.rng(0, 0, 3); e.b(False); e.b(False); e.rng(1, -1, 3); e.b(True); e.rng(3, -1, 3); e.rng(0, 0, 2)
    out['activate_transfer'] = e.bytes()
    # A one-month subscription renewed in time: the device gets its new key.
    e = Enc()
    buy(e, months=1); activate(e, ACME, 0, 1, 0)
    clock(e, 480)
    op(e, ADMIN, 4); pick(e, 0, 1); e.b(True); e.rng(0, -1, 13); e.s("SO-R1")
    clock(e, 480)
    op(e, ACME, 5); e.rng(0, 0, 5)
    verify(e, 1, 2, 0)
    op(e, ACME, 13); e.rng(0, 0, 3); e.b(True); e.b(True); e.rng(3, -1, 3); e.rng(0, 0, 2)
    out['renewal'] = e.bytes()
    # A right-to-use purchase, a perpetual code of GLOBEX-7 revoked by care, and
    # a transfer asked by validation number while the RMA is pending.
    e = Enc()
    buy(e, term=1, months=0, key=False); buy(e, account=1, term=1, months=0)
    activate(e, GLOBEX, 0, 1, 2)
    op(e, CARE, 11); pick(e, 0, 1); e.rng(2, -1, 6); e.s("refund"); e.b(True)
    verify(e, 0, 1, 2)
    rma(e, 2, False, 1, 0, 2, 4)
    op(e, GLOBEX, 6); e.rng(4, 0, 6)
    op(e, GLOBEX, 2); e.rng(1, 0, 3); e.b(True); e.rng(3, -1, 3); e.rng(0, 0, 2)
    out['revoke_pending_rma'] = e.bytes()
    return out


def sequence():
    """Bytes of no particular meaning (like inventory_domain/sequence)."""
    return bytes((11 + 37 * i) % 256 for i in range(200))


if __name__ == "__main__":
    corpus = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
    for target, make in (("case_domain", case_seeds), ("rma_domain", rma_seeds),
                         ("licensing_domain", licensing_seeds)):
        seeds = make()
        seeds["sequence"] = sequence()
        os.makedirs(os.path.join(corpus, target), exist_ok=True)
        for name, data in seeds.items():
            with open(os.path.join(corpus, target, name), "wb") as f:
                f.write(data)
