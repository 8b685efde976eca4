// The search box's own index on a static host (search-box.js imports this module when the
// API is away). It reads the files search_index/static_index.py writes, fetching only what
// a query needs, and follows the API's rules (search_index/whoosh_query.py): the words cut
// and stemmed as whoosh does (porter.js), every word must match, a correctable word no
// partner uses matches the words one edit away that partners use, and hits are ranked by
// whoosh's BM25F with the fields' boosts, blended with the ranking score. A "quoted phrase"
// needs its words, anywhere in the partner's text: the static index keeps no positions.
import { stem } from "./porter.js";

const TOKEN = /[\p{L}\p{N}_*]+(?:\.?[\p{L}\p{N}_*]+)*/gu;
const CONTROL = /[\u0000-\u001f\u007f]/g;
const UNOFFERED = /[\p{L}\p{N}_]*:|[*?~^[\]{}\\]/gu;
const WORD = /[\p{L}\p{N}_]+/gu;
const LETTERS = "abcdefghijklmnopqrstuvwxyz0123456789";

const opened = new Map(); // base -> Promise of an Index

export function open(base) {
  if (!opened.has(base)) {
    opened.set(base, fetchBytes(new URL("index.json", base).href).then(function (bytes) {
      return new Index(base, JSON.parse(new TextDecoder().decode(bytes)));
    }));
  }
  return opened.get(base);
}

// { total, hits: [{ location, name, summary, score }] } for `text`, the first `shown` hits.
export async function search(base, text, shown) {
  const index = await open(base);
  return index.search(text, shown);
}

async function fetchBytes(url) {
  const response = await fetch(url);
  if (!response.ok) { throw new Error(url + ": " + response.status); }
  const bytes = new Uint8Array(await response.arrayBuffer());
  // Gzip as written; a host that sends it with Content-Encoding has unzipped it already.
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) { return bytes; }
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

function fnv1a(text, basis) {
  let value = basis >>> 0;
  for (const byte of new TextEncoder().encode(text)) {
    value = Math.imul(value ^ byte, 0x01000193) >>> 0;
  }
  return value;
}

function letters(word) { return Array.from(word).length; }

class Index {
  constructor(base, meta) {
    if (meta.version !== 1) { throw new Error("an index of version " + meta.version); }
    this.base = base;
    this.meta = meta;
    this.stop = new Set(meta.stop);
    this.files = new Map();
  }

  file(path) {
    if (!this.files.has(path)) {
      const url = new URL(path, this.base);
      url.searchParams.set("v", this.meta.token);
      this.files.set(path, fetchBytes(url.href));
    }
    return this.files.get(path);
  }

  form(word) { return this.stop.has(word) ? null : stem(word); }

  // The words of a text as the index holds them (whoosh's StemmingAnalyzer).
  words(text) {
    const found = [];
    for (const token of text.match(TOKEN) || []) {
      const word = token.toLowerCase();
      const form = letters(word) >= 2 ? this.form(word) : null;
      if (form) { found.push({ typed: word, form: form }); }
    }
    return found;
  }

  // query_text.prepare and the parser: words and "phrases" (their words, no typos forgiven).
  read(raw) {
    const [maxChars, maxWords] = this.meta.limits;
    let text = raw.normalize("NFKC").replace(CONTROL, " ").trim();
    if (text.length > maxChars) {
      const cut = text.slice(0, maxChars);
      text = cut.includes(" ") ? cut.slice(0, cut.lastIndexOf(" ")) : cut;
    }
    const all = Array.from(text.matchAll(WORD));
    if (all.length > maxWords) {
      const last = all[maxWords - 1];
      text = text.slice(0, last.index + last[0].length);
    }
    if ((text.match(/"/g) || []).length % 2) { text = text.replace(/"/g, " "); }
    text = text.replace(UNOFFERED, " ");
    const wanted = [];
    text.split(/("[^"]*")/).forEach(function (part, at) {
      const phrase = at % 2 === 1;
      for (const piece of part.replace(/"/g, " ").split(/\s+/).filter(Boolean)) {
        for (const word of this.words(piece)) {
          wanted.push({ typed: word.typed, form: word.form, correctable: !phrase });
        }
      }
    }, this);
    return wanted;
  }

  async postings(form) {
    const shard = fnv1a(form, 0x811c9dc5) % this.meta.shards;
    const bytes = await this.file("terms/" + shard + ".bin");
    const newline = bytes.indexOf(10);
    const head = JSON.parse(new TextDecoder().decode(bytes.subarray(0, newline)));
    const place = Object.prototype.hasOwnProperty.call(head, form) ? head[form] : null;
    return place ? read(bytes.subarray(newline + 1), place[0], place[1], this.meta) : null;
  }

  async mayKnow(form) {
    const count = Math.min(letters(form), this.meta.known.letters);
    if (!this.meta.known.have.includes(count)) { return false; } // no word that long
    const bits = await this.file("known/" + count + ".bin");
    const size = bits.length * 8;
    const first = fnv1a(form, 0x811c9dc5);
    const second = (fnv1a(form, 0x01000193) | 1) >>> 0;
    for (let i = 0; i < this.meta.known.hashes; i++) {
      const bit = ((first + Math.imul(i, second)) >>> 0) % size;
      if (!(bits[bit >> 3] & (1 << (bit & 7)))) { return false; }
    }
    return true;
  }

  // The forms a word stands for: its own, or (a correctable word no partner uses) those
  // one edit away that partners use, edited as typed and then stemmed.
  async alternatives(word) {
    const own = await this.postings(word.form);
    if (own) { return [own]; }
    const [fewest, most] = this.meta.typo;
    const typed = letters(word.typed);
    if (!word.correctable || typed < fewest || typed > most || !/^[\p{L}\p{N}_]+$/u.test(word.typed)) {
      return [];
    }
    const forms = new Set();
    for (const edit of oneEdit(word.typed)) {
      const form = this.form(edit);
      if (form) { forms.add(form); }
    }
    const maybe = [];
    for (const form of forms) {
      if (await this.mayKnow(form)) { maybe.push(form); }
    }
    const found = await Promise.all(maybe.sort().map((form) => this.postings(form)));
    return found.filter(Boolean);
  }

  async search(text, shown) {
    const meta = this.meta;
    const wanted = this.read(text);
    if (!wanted.length) {
      return this.hits(meta.best.slice(0, shown), meta.documents, []);
    }
    const seen = new Map();
    for (const word of wanted) {
      const key = word.form + "\u0000" + word.typed + "\u0000" + word.correctable;
      if (!seen.has(key)) { seen.set(key, this.alternatives(word)); }
    }
    const each = await Promise.all(Array.from(seen.values()));
    let scores = null;
    const blends = new Map();
    for (const lists of each) {
      const mine = new Map();
      for (const list of lists) {
        for (const [doc, score, blend] of scored(list, meta)) {
          mine.set(doc, (mine.get(doc) || 0) + score);
          blends.set(doc, blend);
        }
      }
      if (scores === null) {
        scores = mine;
      } else {
        const both = new Map();
        for (const [doc, score] of scores) {
          if (mine.has(doc)) { both.set(doc, score + mine.get(doc)); }
        }
        scores = both;
      }
      if (!scores.size) { break; }
    }
    const ranked = Array.from(scores, function ([doc, score]) {
      return [doc, score * (1 + meta.blend * blends.get(doc) / 20000)];
    }).sort(function (a, b) { return b[1] - a[1] || a[0] - b[0]; });
    const top = ranked.slice(0, shown);
    return this.hits(top.map((pair) => pair[0]), ranked.length, top.map((pair) => pair[1]));
  }

  // The hits of `docs`, with their scores (BM25F blended; none when no word was searched).
  async hits(docs, total, scores) {
    const chunk = this.meta.chunk;
    const chunks = await Promise.all(docs.map((doc) => this.file("docs/" + Math.floor(doc / chunk) + ".json.gz")));
    const hits = docs.map(function (doc, at) {
      const rows = JSON.parse(new TextDecoder().decode(chunks[at]));
      const [location, name, summary] = rows[doc % chunk];
      return { location: location, name: name, summary: summary, score: scores[at] };
    });
    return { total: total, hits: hits };
  }
}

// A word's postings: [{ doc, blend, fields: [[field, count, length], ...] }].
function read(body, offset, count, meta) {
  let at = offset;
  function varint() {
    let value = 0;
    let shift = 0;
    for (;;) {
      const byte = body[at++];
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) { return value; }
      shift += 7;
    }
  }
  const found = [];
  let doc = 0;
  for (let n = 0; n < count; n++) {
    doc += varint();
    const blend = varint();
    const mask = body[at++];
    const fields = [];
    for (let field = 0; field < meta.fields.length; field++) {
      if (mask & (1 << field)) {
        const times = varint();
        fields.push([field, times, meta.lengths[body[at++]]]);
      }
    }
    found.push({ doc: doc, blend: blend, fields: fields });
  }
  return found;
}

// [doc, BM25F score, blend] for each posting of one word (whoosh's scoring.BM25F: a
// field's idf is log(N / (df + 1)) + 1 and its weight the count times the field's boost).
function scored(list, meta) {
  const frequency = meta.fields.map(() => 0);
  for (const posting of list) {
    for (const [field] of posting.fields) { frequency[field] += 1; }
  }
  const idf = frequency.map((df) => Math.log(meta.documents / (df + 1)) + 1);
  return list.map(function (posting) {
    let score = 0;
    for (const [field, count, length] of posting.fields) {
      const weight = count * meta.boosts[field];
      const average = meta.average[field] || 1;
      score += idf[field] * (weight * (meta.k1 + 1)) /
        (weight + meta.k1 * ((1 - meta.b) + meta.b * length / average));
    }
    return [posting.doc, score, posting.blend];
  });
}

// query_text.one_edit: a letter dropped, added, changed, or two swapped.
function oneEdit(word) {
  const chars = Array.from(word);
  const found = new Set();
  for (let i = 0; i <= chars.length; i++) {
    const a = chars.slice(0, i).join("");
    const b = chars.slice(i);
    if (b.length) { found.add(a + b.slice(1).join("")); }
    if (b.length > 1) { found.add(a + b[1] + b[0] + b.slice(2).join("")); }
    for (const c of LETTERS) {
      if (b.length) { found.add(a + c + b.slice(1).join("")); }
      found.add(a + c + b.join(""));
    }
  }
  return found;
}
