"""Tokenizers written as Hugging Face tokenizer.json, with a reference encoder used for the goldens."""

from vla_tools.paths import SPIECE


def apply_merges(syms, rank):
    """BPE: merge the adjacent pair of lowest merge rank (leftmost on ties) until none is mergeable."""
    syms = list(syms)
    while True:
        best = None
        for i in range(len(syms) - 1):
            r = rank.get((syms[i], syms[i + 1]))
            if r is not None and (best is None or r < best[0]):
                best = (r, i)
        if best is None:
            return syms
        i = best[1]
        syms[i : i + 2] = [syms[i] + syms[i + 1]]


class LlamaLikeTokenizer:
    """A small SentencePiece-style BPE as Llama 2 ships it: Prepend/Replace normalizer, byte fallback, <s> BOS."""

    def __init__(self, words, number_tokens=0, vocab_size=None):
        self.vocab = {}
        self.merges = []
        for t in ["<unk>", "<s>", "</s>"]:
            self._add(t)
        for b in range(256):
            self._add("<0x%02X>" % b)
        for c in SPIECE + "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:?.,;!|-'":
            self._add(c)
        for w in words:
            self._add_word(w)
        for k in range(number_tokens):
            if SPIECE + str(k) not in self.vocab:
                self._add(SPIECE + str(k))
        self.text_size = len(self.vocab)
        if vocab_size is not None:
            assert vocab_size >= self.text_size
            k = 0
            while len(self.vocab) < vocab_size:
                self._add(chr(0xE000 + k))
                k += 1
        self.rank = {tuple(m.split(" ")): i for i, m in enumerate(self.merges)}
        self.id_to_token = {i: t for t, i in self.vocab.items()}

    def _add(self, token):
        if token not in self.vocab:
            self.vocab[token] = len(self.vocab)

    def _add_word(self, word):
        cur = word[0]
        for ch in word[1:]:
            nxt = cur + ch
            if nxt not in self.vocab:
                self.merges.append(cur + " " + ch)
                self._add(nxt)
            cur = nxt

    def encode(self, text):
        s = SPIECE + text.replace(" ", SPIECE)
        syms = []
        for ch in s:
            if ch in self.vocab:
                syms.append(ch)
            else:
                syms.extend("<0x%02X>" % b for b in ch.encode("utf-8"))
        syms = apply_merges(syms, self.rank)
        return [self.vocab[t] for t in syms]

    def to_json(self):
        specials = ["<unk>", "<s>", "</s>"]
        return {
            "version": "1.0",
            "truncation": None,
            "padding": None,
            "added_tokens": [
                {"id": self.vocab[t], "content": t, "single_word": False, "lstrip": False, "rstrip": False,
                 "normalized": False, "special": True}
                for t in specials
            ],
            "normalizer": {"type": "Sequence", "normalizers": [
                {"type": "Prepend", "prepend": SPIECE},
                {"type": "Replace", "pattern": {"String": " "}, "content": SPIECE},
            ]},
            "pre_tokenizer": None,
            "post_processor": {
                "type": "TemplateProcessing",
                "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
                "pair": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                         {"SpecialToken": {"id": "<s>", "type_id": 1}}, {"Sequence": {"id": "B", "type_id": 1}}],
                "special_tokens": {"<s>": {"id": "<s>", "ids": [self.vocab["<s>"]], "tokens": ["<s>"]}},
            },
            "decoder": {"type": "Sequence", "decoders": [
                {"type": "Replace", "pattern": {"String": SPIECE}, "content": " "},
                {"type": "ByteFallback"},
                {"type": "Fuse"},
                {"type": "Strip", "content": " ", "start": 1, "stop": 0},
            ]},
            "model": {"type": "BPE", "dropout": None, "unk_token": "<unk>", "continuing_subword_prefix": None,
                      "end_of_word_suffix": None, "fuse_unk": True, "byte_fallback": True, "ignore_merges": False,
                      "vocab": self.vocab, "merges": self.merges},
        }


def bytes_to_unicode():
    """GPT-2's reversible byte -> printable character map (the ByteLevel pre-tokenizer and decoder)."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("\xa1"), ord("\xac") + 1)) + list(range(ord("\xae"), ord("\xff") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, [chr(c) for c in cs]))


class ByteLevelBpe:
    """A byte-level BPE (as the FAST tokenizer is), trained here on a small corpus of coefficient strings."""

    def __init__(self, corpus, num_merges):
        self.b2u = bytes_to_unicode()
        self.u2b = {u: b for b, u in self.b2u.items()}
        self.vocab = {}
        for b in range(256):
            self.vocab[self.b2u[b]] = b
        self.merges = []
        seqs = [[self.b2u[b] for b in s.encode("utf-8")] for s in corpus]
        for _ in range(num_merges):
            counts = {}
            for seq in seqs:
                for a, b in zip(seq, seq[1:]):
                    counts[(a, b)] = counts.get((a, b), 0) + 1
            if not counts:
                break
            pair = min(counts, key=lambda p: (-counts[p], p))
            if counts[pair] < 2:
                break
            merged = pair[0] + pair[1]
            self.merges.append(pair[0] + " " + pair[1])
            self.vocab[merged] = len(self.vocab)
            seqs = [self._merge(seq, pair) for seq in seqs]
        self.rank = {tuple(m.split(" ")): i for i, m in enumerate(self.merges)}
        self.id_to_token = {i: t for t, i in self.vocab.items()}

    @staticmethod
    def _merge(seq, pair):
        out = []
        i = 0
        while i < len(seq):
            if i + 1 < len(seq) and (seq[i], seq[i + 1]) == pair:
                out.append(seq[i] + seq[i + 1])
                i += 2
            else:
                out.append(seq[i])
                i += 1
        return out

    def encode(self, text):
        syms = [self.b2u[b] for b in text.encode("utf-8")]
        syms = apply_merges(syms, self.rank)
        return [self.vocab[t] for t in syms]

    def decode(self, ids):
        return bytes(self.u2b[c] for i in ids for c in self.id_to_token[i]).decode("utf-8")

    def to_json(self):
        return {
            "version": "1.0",
            "truncation": None,
            "padding": None,
            "added_tokens": [],
            "normalizer": None,
            "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": False},
            "post_processor": None,
            "decoder": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": False},
            "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
                      "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False, "ignore_merges": False,
                      "vocab": self.vocab, "merges": self.merges},
        }
