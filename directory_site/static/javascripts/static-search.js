// The search box's own index on a static host (search-box.js imports this module when the
// API is away). It reads the files search_index/static_index.py writes, fetching only what
// a query needs, and follows the API's rules (search_index/whoosh_query.py): the words cut
// and stemmed as whoosh does (porter.js), every word must match, a correctable word no
// partner uses matches the words one edit away that partners use, and hits are ranked by
// whoosh's BM25F with the fields' boosts, blended with the ranking score. A "quoted phrase"
// needs its words one after another in one field (whoosh's SpanNear2, slop 1). A common
// word's postings hold no ranking score: a search of common words only reads the scores of
// the partners that could be among its first hits (ranked, below).
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
    if (meta.version !== 4) { throw new Error("an index of version " + meta.version); }
    this.base = base;
    this.meta = meta;
    this.stop = new Set(meta.stop);
    this.files = new Map();
    this.blends = new Map(); // a document's blend, as its postings or the order pages give it
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
    // Each clause must match: a word (in any field, its typo forgiven) or a group of words
    // in one field: a word the cutting makes several of ("go-live"), or a "phrase". A
    // phrase of one word is that word, as whoosh makes it.
    const clauses = [];
    text.split(/("[^"]*")/).forEach(function (part, at) {
      const pieces = at % 2 === 1 ? [part.slice(1, -1)] : part.split(/\s+/);
      for (const piece of pieces) {
        const found = this.words(piece);
        if (found.length === 1) {
          clauses.push({ word: found[0] });
        } else if (found.length > 1) {
          clauses.push({ group: found.map((word) => word.form), phrase: at % 2 === 1 });
        }
      }
    }, this);
    return clauses;
  }

  async place(form) {
    const shard = fnv1a(form, 0x811c9dc5) % this.meta.shards;
    const [head, body] = await this.shard("terms/" + shard + ".bin");
    return Object.prototype.hasOwnProperty.call(head, form) ? head[form].concat([body]) : null;
  }

  // A word's postings; a common word's places only `withPlaces` (a phrase's words), and
  // only its files that hold a document of `within` (sorted numbers; null: every file).
  // A common word's list carries its documents per field (its idf: the list may be part).
  async postings(form, withPlaces, within) {
    const place = await this.place(form);
    if (!place) { return null; }
    const body = place[place.length - 1];
    if (place[0] !== null) { return read(body, place[0], place[1], this.meta); }
    const list = await this.parts("words/" + place[2], place[5], within, withPlaces, readOwn, place[1]);
    list.frequency = place[6];
    return list;
  }

  // The postings in a common word's or a pair's files (`prefix`-<part>.bin, each file's
  // first document in `starts`) of the documents of `within` (sorted numbers; null:
  // every one), read by `decode`; with their places (`.at.bin`) when `withPlaces`; and
  // their fields' lengths: in their files, or for a word or pair in half the documents or
  // more (`documents` of them), in the lengths files.
  async parts(prefix, starts, within, withPlaces, decode, documents) {
    const shared = 2 * documents >= this.meta.documents;
    const parts = [];
    for (let part = 0; part < starts.length; part++) {
      const end = part + 1 < starts.length ? starts[part + 1] : Infinity;
      if (within && !holdsBetween(within, starts[part], end)) { continue; }
      const path = prefix + "-" + part;
      const places = withPlaces ? this.file(path + ".at.bin") : null;
      parts.push(Promise.all([this.shard(path + ".bin"), places]).then(([[head, body], at]) => {
        return decode(body, Object.values(head)[0][1], at, shared, this.meta);
      }));
    }
    let found = [].concat(...(await Promise.all(parts)));
    if (within) {
      const wanted = new Set(within);
      found = found.filter((posting) => wanted.has(posting.doc));
    }
    return shared ? this.withLengths(found, LENGTH_AT.get(decode)) : found;
  }

  // `postings` with their fields' lengths (item `at` of each field's), from the lengths
  // files of their documents' chunks in those fields, each fetched once.
  async withLengths(postings, at) {
    const meta = this.meta;
    const size = meta.lengthsChunk;
    const files = new Map(); // field * chunks + chunk -> Promise of its bytes
    const chunks = Math.ceil(meta.documents / size);
    for (const posting of postings) {
      const chunk = Math.floor(posting.doc / size);
      for (const field of posting.fields) {
        const key = field[0] * chunks + chunk;
        if (!files.has(key)) { files.set(key, this.file("lengths/" + field[0] + "-" + chunk + ".bin")); }
      }
    }
    const columns = new Map();
    await Promise.all(Array.from(files, async ([key, bytes]) => { columns.set(key, await bytes); }));
    for (const posting of postings) {
      const chunk = Math.floor(posting.doc / size);
      const offset = posting.doc - chunk * size;
      for (const field of posting.fields) {
        field[at] = meta.lengths[columns.get(field[0] * chunks + chunk)[offset]];
      }
    }
    return postings;
  }

  async shard(path) {
    const bytes = await this.file(path);
    const newline = bytes.indexOf(10);
    return [JSON.parse(new TextDecoder().decode(bytes.subarray(0, newline))), bytes.subarray(newline + 1)];
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
  async alternatives(word, within) {
    const own = await this.postings(word.form, false, within);
    if (own) { return [own]; }
    const [fewest, most] = this.meta.typo;
    const typed = letters(word.typed);
    if (typed < fewest || typed > most || !/^[\p{L}\p{N}_]+$/u.test(word.typed)) {
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
    const found = await Promise.all(maybe.sort().map((form) => this.postings(form, false, within)));
    return found.filter(Boolean);
  }

  async search(text, shown) {
    const meta = this.meta;
    const clauses = this.read(text);
    if (!clauses.length) {
      return this.hits(meta.best.slice(0, shown), meta.documents, []);
    }
    if (clauses.length === 1 && clauses[0].word && shown <= meta.best.length) {
      // One word of many partners: its first hits are kept in its shard.
      const place = await this.place(clauses[0].word.form);
      if (place && place[0] === null) {
        const top = place[4].slice(0, shown);
        return this.hits(top.map((pair) => pair[0]), place[1], top.map((pair) => pair[1]));
      }
    }
    // The clauses that read a common word's files go last, and read only the files that hold
    // partners every other clause matched (every file when there is no other clause).
    const dear = await Promise.all(clauses.map((clause) => this.dear(clause)));
    const each = new Array(clauses.length);
    const numbers = clauses.map((_clause, n) => n);
    const cheap = numbers.filter((n) => !dear[n]);
    await Promise.all(cheap.map(async (n) => { each[n] = await this.matches(clauses[n], null); }));
    const within = cheap.length ? inEvery(cheap.map((n) => each[n])) : null;
    await Promise.all(numbers.filter((n) => dear[n]).map(async (n) => {
      each[n] = within && !within.length ? new Map() : await this.matches(clauses[n], within);
    }));
    let scores = each[0]; // summed in the clauses' order
    for (const mine of each.slice(1)) {
      const both = new Map();
      for (const [doc, score] of scores) {
        if (mine.has(doc)) { both.set(doc, score + mine.get(doc)); }
      }
      scores = both;
    }
    const top = (await this.ranked(scores, shown)).slice(0, shown);
    return this.hits(top.map((pair) => pair[0]), scores.size, top.map((pair) => pair[1]));
  }

  // [doc, score] of the matched documents (`scores`: their BM25F sums) blended with their
  // ranking scores, best first (ties by number), of which the first `shown` are the first
  // `shown` of all. A common word's postings give no blend: the order pages (every
  // document, best ranking score first) are read from the first until no document still
  // unplaced could reach the `shown`th score (its sum blended at the last page's lowest
  // score), and the few that still could are read from the blend chunks by number.
  async ranked(scores, shown) {
    const meta = this.meta;
    const blended = (score, step) => score * (1 + meta.blend * step / (200 * meta.steps));
    const placed = [];
    const top = []; // the `shown` best scores placed, best first
    let open = [];
    const place = (doc) => {
      const score = blended(scores.get(doc), this.blends.get(doc));
      placed.push([doc, score]);
      let at = top.length;
      while (at > 0 && top[at - 1] < score) { at--; }
      top.splice(at, 0, score);
      if (top.length > shown) { top.pop(); }
    };
    for (const doc of scores.keys()) {
      if (this.blends.has(doc)) { place(doc); } else { open.push(doc); }
    }
    let page = 0;
    let lowest = Infinity; // every document no page read has at most this step
    while (open.length) {
      const bar = top.length < shown ? -Infinity : top[shown - 1];
      if (lowest !== Infinity) {
        // Blending never grows as the step falls (rounding included), so an unplaced
        // document scores at most its sum blended at `lowest`; one that could tie the bar
        // stays (of equal scores, the lower number goes first).
        open = open.filter((doc) => blended(scores.get(doc), lowest) >= bar);
        if (!open.length) { break; }
      }
      const chunks = new Set(open.map((doc) => Math.floor(doc / meta.blendChunk)));
      if (chunks.size * meta.blendChunk <= meta.order) {
        await Promise.all(Array.from(chunks, (chunk) => this.blendChunk(chunk)));
      } else {
        lowest = await this.orderPage(page++);
      }
      const still = [];
      for (const doc of open) {
        if (this.blends.has(doc)) { place(doc); } else { still.push(doc); }
      }
      open = still;
    }
    return placed.sort(function (a, b) { return b[1] - a[1] || a[0] - b[0]; });
  }

  // The blends of a page of the order (documents by ranking score, best first); its lowest.
  async orderPage(page) {
    const meta = this.meta;
    const bytes = await this.file("order/" + page + ".bin");
    const count = Math.min(meta.order, meta.documents - page * meta.order);
    const reader = new Reader(bytes, 0);
    const docs = [];
    for (let n = 0; n < count; n++) { docs.push(reader.varint()); }
    let step = reader.varint();
    for (let n = 0; n < count; n++) {
      if (n) { step -= reader.varint(); }
      this.blends.set(docs[n], step);
    }
    return step;
  }

  // The blends of a chunk of documents by number.
  async blendChunk(chunk) {
    const meta = this.meta;
    const reader = new Reader(await this.file("blends/" + chunk + ".bin"), 0);
    const first = chunk * meta.blendChunk;
    const last = Math.min(first + meta.blendChunk, meta.documents);
    for (let doc = first; doc < last; doc++) { this.blends.set(doc, reader.varint()); }
  }

  // Whether a clause reads a common word's files.
  async dear(clause) {
    const forms = clause.word ? [clause.word.form] : clause.group;
    const places = await Promise.all(forms.map((form) => this.place(form)));
    return places.some((place) => place && place[0] === null);
  }

  // The documents a clause matches, with its score in each; those of `within` (sorted
  // numbers) at least, when it is given.
  async matches(clause, within) {
    const found = new Map();
    if (clause.word) {
      for (const list of await this.alternatives(clause.word, within)) {
        for (const [doc, score] of this.scored(list, null)) {
          found.set(doc, (found.get(doc) || 0) + score);
        }
      }
      return found;
    }
    // A group's common words read only the files holding documents its other words have.
    const places = await Promise.all(clause.group.map((form) => this.place(form)));
    if (places.some((place) => !place)) { return found; }
    const lists = new Array(places.length);
    const numbers = places.map((_place, n) => n);
    const rare = numbers.filter((n) => places[n][0] !== null);
    if (clause.phrase && !rare.length) {
      // A phrase of common words: its pairs (each word and the next) are kept, and say
      // where it is and score it; their places are read only where they must.
      const pairs = await Promise.all(numbers.slice(1).map((n) => {
        return this.pair(places[n - 1], clause.group[n], within, false);
      }));
      if (pairs.some((pair) => !pair)) { return found; }
      return this.phraseScored(clause.group, places, pairs, within);
    }
    await Promise.all(rare.map(async (n) => {
      lists[n] = await this.postings(clause.group[n], clause.phrase, within);
    }));
    const only = rare.length ? inEvery(rare.map((n) => lists[n]), within) : within;
    await Promise.all(numbers.filter((n) => places[n][0] === null).map(async (n) => {
      lists[n] = await this.postings(clause.group[n], clause.phrase, only);
    }));
    // Per field, the documents that hold every word there (a phrase's one after another:
    // whoosh's SpanNear2, slop 1), and the sum of their scores.
    for (let field = 0; field < this.meta.fields.length; field++) {
      let inField = null;
      const places = clause.phrase ? lists.map((list) => placesIn(list, field)) : null;
      for (const list of lists) {
        const mine = new Map(this.scored(list, field));
        if (inField === null) {
          inField = mine;
        } else {
          const both = new Map();
          for (const [doc, score] of inField) {
            if (mine.has(doc)) { both.set(doc, score + mine.get(doc)); }
          }
          inField = both;
        }
      }
      for (const [doc, score] of inField) {
        if (places && !following(places, doc)) { continue; }
        found.set(doc, (found.get(doc) || 0) + score);
      }
    }
    return found;
  }

  // The postings of a common word (its entry `first`) followed by `second`, a common
  // word, in its files that hold a document of `within` (sorted numbers; null: every
  // file): [{ doc, fields: [[field, first's count, second's count, length]] }], or null
  // when no document has the one after the other.
  async pair(first, second, within, withPlaces) {
    const at = first[7].findIndex((follower) => follower[0] === second);
    if (at < 0) { return null; }
    const [, documents, starts] = first[7][at];
    return this.parts("pairs/" + first[2] + "-" + at, starts, within, withPlaces, readPair, documents);
  }

  // The documents where the phrase of common words `group` (their entries `places`) is,
  // with its score in each, from its pairs' postings (`pairs`, of `within`'s documents
  // at least): in a field where every pair is, and where every word inside the phrase
  // is once, the pairs chain into the phrase (that word's one place is after the word
  // before it and before the word after it); where one such word is more than once, the
  // pairs' places say (each must start one after the one before). Its score there: each
  // word's BM25F in that field, summed in the phrase's order, and the fields' summed in
  // theirs (as `matches` sums a group).
  async phraseScored(group, places, pairs, within) {
    const meta = this.meta;
    const idf = places.map((place) => place[6].map((df) => Math.log(meta.documents / (df + 1)) + 1));
    const each = pairs.map((list) => new Map(list.map((posting) => [posting.doc, posting.fields])));
    const inField = new Map(); // doc -> per field its score, or undefined
    const unsure = []; // [doc, field, score] where the words' places must say
    for (const doc of inEvery(pairs, within)) {
      const scores = new Array(meta.fields.length);
      for (let field = 0; field < meta.fields.length; field++) {
        let score = null;
        let once = true;
        for (let n = 0; n < each.length; n++) {
          const found = each[n].get(doc).find((entry) => entry[0] === field);
          if (!found) { score = null; break; }
          const [, firstCount, secondCount, length] = found;
          if (n === 0) { score = this.bm25(idf[0][field], field, firstCount, length); }
          score += this.bm25(idf[n + 1][field], field, secondCount, length);
          if (n > 0 && firstCount > 1) { once = false; }
        }
        if (score === null) { continue; }
        if (once) { scores[field] = score; } else { unsure.push([doc, field, score]); }
      }
      inField.set(doc, scores);
    }
    if (unsure.length) {
      const docs = Array.from(new Set(unsure.map(([doc]) => doc))).sort((a, b) => a - b);
      const lists = await Promise.all(group.slice(1).map((form, n) => {
        return this.pair(places[n], form, docs, true);
      }));
      const byField = new Map(); // field -> each pair's places there, by document
      for (const [doc, field, score] of unsure) {
        if (!byField.has(field)) { byField.set(field, lists.map((list) => placesIn(list, field))); }
        if (following(byField.get(field), doc)) { inField.get(doc)[field] = score; }
      }
    }
    const found = new Map();
    for (const [doc, scores] of inField) {
      let sum = null;
      for (const score of scores) {
        if (score !== undefined) { sum = sum === null ? score : sum + score; }
      }
      if (sum !== null) { found.set(doc, sum); }
    }
    return found;
  }

  // whoosh's BM25F of a word `count` times in a field of `length` words.
  bm25(idf, field, count, length) {
    const meta = this.meta;
    const weight = count * meta.boosts[field];
    const average = meta.average[field] || 1;
    return idf * (weight * (meta.k1 + 1)) /
      (weight + meta.k1 * ((1 - meta.b) + meta.b * length / average));
  }

  // [doc, BM25F score] for each posting of one word, in `only` field or in every field
  // (whoosh's scoring.BM25F: a field's idf is log(N / (df + 1)) + 1 and its weight the
  // count times the field's boost); the documents' blends are kept for the ranking.
  scored(list, only) {
    const meta = this.meta;
    let frequency = list.frequency;
    if (!frequency) {
      frequency = meta.fields.map(() => 0);
      for (const posting of list) {
        for (const [field] of posting.fields) { frequency[field] += 1; }
      }
    }
    const idf = frequency.map((df) => Math.log(meta.documents / (df + 1)) + 1);
    const found = [];
    for (const posting of list) {
      let score = 0;
      let matched = false;
      for (const [field, count, length] of posting.fields) {
        if (only !== null && field !== only) { continue; }
        score += this.bm25(idf[field], field, count, length);
        matched = true;
      }
      if (matched) {
        found.push([posting.doc, score]);
        if (posting.blend !== undefined) { this.blends.set(posting.doc, posting.blend); }
      }
    }
    return found;
  }

  // The hits of `docs`, with their scores (BM25F blended; none when no word was searched).
  async hits(docs, total, scores) {
    const chunk = this.meta.chunk;
    const numbers = Array.from(new Set(docs.map((doc) => Math.floor(doc / chunk))));
    const read = await Promise.all(numbers.map((n) => this.file("docs/" + n + ".json.gz")));
    const rows = new Map(numbers.map((n, at) => [n, JSON.parse(new TextDecoder().decode(read[at]))]));
    const hits = docs.map(function (doc, at) {
      const [location, name, summary] = rows.get(Math.floor(doc / chunk))[doc % chunk];
      return { location: location, name: name, summary: summary, score: scores[at] };
    });
    return { total: total, hits: hits };
  }
}

// Varints and bytes read one after another.
class Reader {
  constructor(bytes, at) {
    this.bytes = bytes;
    this.at = at;
  }

  varint() {
    let value = 0;
    let shift = 0;
    for (;;) {
      const byte = this.bytes[this.at++];
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) { return value; }
      shift += 7;
    }
  }

  byte() { return this.bytes[this.at++]; }
}

// A shard's postings of a word: [{ doc, blend, fields: [[field, count, length, places]] }].
// Each: the document from the one before, the blend, the byte of fields, then per field
// its count, per field its length, per field its places (each from the one before).
function read(body, offset, count, meta) {
  const reader = new Reader(body, offset);
  const found = [];
  let doc = 0;
  for (let n = 0; n < count; n++) {
    doc += reader.varint();
    const blend = reader.varint();
    const fields = inFields(reader.byte(), meta);
    for (const field of fields) { field[1] = reader.varint(); }
    for (const field of fields) { field[2] = meta.lengths[reader.byte()]; }
    for (const field of fields) { field[3] = placesOf(reader, field[1]); }
    found.push({ doc: doc, blend: blend, fields: fields });
  }
  return found;
}

// A common word's file of postings, in columns (the documents, their bytes of fields, the
// counts, the lengths unless `shared`: then Index.withLengths fills them, item 2 of a
// field's), and its places apart (`places`, or null: then none are read). Its postings
// give no blend.
function readOwn(body, count, places, shared, meta) {
  const reader = new Reader(body, 0);
  const found = readColumns(reader, count, meta);
  for (const posting of found) {
    for (const field of posting.fields) { field[1] = reader.varint(); }
  }
  if (!shared) { readLengths(reader, found, 2, meta); }
  if (places) {
    const at = new Reader(places, 0);
    for (const posting of found) {
      for (const field of posting.fields) { field[3] = placesOf(at, field[1]); }
    }
  }
  return found;
}

// The first two columns of a common word's or a pair's file: `count` documents (each
// from the one before), then their bytes of fields: [{ doc, fields: [[field, ...]] }].
function readColumns(reader, count, meta) {
  const found = [];
  let doc = 0;
  for (let n = 0; n < count; n++) {
    doc += reader.varint();
    found.push({ doc: doc, blend: undefined, fields: null });
  }
  for (const posting of found) { posting.fields = inFields(reader.byte(), meta); }
  return found;
}

// A file's column of lengths, a byte per field of each posting, into item `at` of each.
function readLengths(reader, postings, at, meta) {
  for (const posting of postings) {
    for (const field of posting.fields) { field[at] = meta.lengths[reader.byte()]; }
  }
}

// Where a field's length goes in a decoder's postings.
const LENGTH_AT = new Map([[readOwn, 2], [readPair, 3]]);

// A pair's file of postings, in columns (the documents, their bytes of fields, the two
// words' counts per field, the lengths unless `shared`: then Index.withLengths fills
// them), and its places apart (`places`, or null: then none are read):
// [{ doc, fields: [[field, count, count, length, places]] }].
function readPair(body, count, places, shared, meta) {
  const reader = new Reader(body, 0);
  const found = readColumns(reader, count, meta);
  for (const posting of found) {
    for (const field of posting.fields) { field[1] = reader.varint(); field[2] = reader.varint(); }
  }
  if (!shared) { readLengths(reader, found, 3, meta); }
  if (places) {
    const at = new Reader(places, 0);
    for (const posting of found) {
      for (const field of posting.fields) { field.push(placesOf(at, at.varint())); }
    }
  }
  return found;
}

// [[field, count, length, places]] of the fields a byte of fields names, to be filled.
function inFields(mask, meta) {
  const fields = [];
  for (let field = 0; field < meta.fields.length; field++) {
    if (mask & (1 << field)) { fields.push([field, 0, 0, null]); }
  }
  return fields;
}

function placesOf(reader, count) {
  const places = [];
  let place = 0;
  for (let n = 0; n < count; n++) {
    place += reader.varint();
    places.push(place);
  }
  return places;
}

// The documents (sorted numbers) in every one of `each` (Maps by document, or postings
// lists) and in `within` (sorted numbers), when it is given.
function inEvery(each, within) {
  const sets = each.map((one) => one instanceof Map ? one : new Set(one.map((p) => p.doc)));
  const start = within || Array.from(sets[0].keys()).sort((a, b) => a - b);
  return start.filter((doc) => sets.every((set) => set.has(doc)));
}

// Whether a sorted list of numbers holds one from `low` up to (not with) `high`.
function holdsBetween(sorted, low, high) {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] < low) { lo = mid + 1; } else { hi = mid; }
  }
  return lo < sorted.length && sorted[lo] < high;
}

// The places of a word (or a pair) in one field, by document: its fields' last item.
function placesIn(list, field) {
  const found = new Map();
  for (const posting of list) {
    for (const entry of posting.fields) {
      if (entry[0] === field) { found.set(posting.doc, entry[entry.length - 1]); }
    }
  }
  return found;
}

// Whether the words whose places are `each` follow one another somewhere in `doc` (or
// the pairs: a phrase's pairs start one after the other where the phrase is).
function following(each, doc) {
  const later = each.slice(1).map((places) => new Set(places.get(doc)));
  return each[0].get(doc).some((start) => later.every((set, n) => set.has(start + n + 1)));
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
