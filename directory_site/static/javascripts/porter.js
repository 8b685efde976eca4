// A line-for-line port of whoosh.lang.porter.stem: Martin Porter's stemming algorithm as
// whoosh implements it, quirks and all (it is not the published algorithm), kept identical
// so the site's static search stems words exactly as the API's search does.
// tests/test_porter_js.py checks the two agree.
//
// Python's str counts code points, a JS string UTF-16 units: every pattern has the `u` flag
// (code points), the length is counted in code points and the last code point is cut as one.
// Python's `.` is any character but "\n" (here `[^\n]`), its `$` is the end or just before a
// final "\n" (here `(?=\n?$)`), and its re.match is anchored at the start (here `^`).

// Suffix replacement lists

const step2list = {
  ational: "ate",
  tional: "tion",
  enci: "ence",
  anci: "ance",
  izer: "ize",
  bli: "ble",
  alli: "al",
  entli: "ent",
  eli: "e",
  ousli: "ous",
  ization: "ize",
  ation: "ate",
  ator: "ate",
  alism: "al",
  iveness: "ive",
  fulness: "ful",
  ousness: "ous",
  aliti: "al",
  iviti: "ive",
  biliti: "ble",
  logi: "log",
};

const step3list = {
  icate: "ic",
  ative: "",
  alize: "al",
  iciti: "ic",
  ical: "ic",
  ful: "",
  ness: "",
};

const END = "(?=\\n?$)"; // Python's `$`
const ANY = "[^\\n]"; // Python's `.`

const vowel = "[aeiouy]";
const consSeq = "[^aeiouy]+";
const vowelSeq = "[aeiou]+";

// Python's re.match(pattern, w): anchored at the start, on code points.
function pattern(source) {
  return new RegExp("^(?:" + source + ")", "u");
}

// m > 0
const mgr0 = pattern("^(" + consSeq + ")?" + vowelSeq + consSeq);
// m == 0 (whoosh's comment: it is m == 1)
const meq1 = pattern("^(" + consSeq + ")?" + vowelSeq + consSeq + "(" + vowelSeq + ")?" + END);
// m > 1
const mgr1 = pattern("^(" + consSeq + ")?" + vowelSeq + consSeq + vowelSeq + consSeq);
// vowel in stem
const sV = pattern("^(" + consSeq + ")?" + vowel);
// ??? (whoosh's comment: the whole stem is consonants, a vowel, a consonant)
const cV = pattern("^" + consSeq + vowel + "[^aeiouwxy]" + END);

// Patterns used in the rules

const edIng = pattern("^(" + ANY + "*)(ed|ing)" + END);
const atBlIz = pattern("(at|bl|iz)" + END);
const step1b = pattern("([^aeiouylsz])\\1" + END);
const step2 = pattern(
  "^(" + ANY + "+?)(ational|tional|enci|anci|izer|bli|alli|entli|eli|ousli|ization|ation|ator" +
    "|alism|iveness|fulness|ousness|aliti|iviti|biliti|logi)" + END,
);
const step3 = pattern("^(" + ANY + "+?)(icate|ative|alize|iciti|ical|ful|ness)" + END);
const step4_1 = pattern(
  "^(" + ANY + "+?)(al|ance|ence|er|ic|able|ible|ant|ement|ment|ent|ou|ism|ate|iti|ous|ive|ize)" +
    END,
);
const step4_2 = pattern("^(" + ANY + "+?)(s|t)(ion)" + END);
const step5 = pattern("^(" + ANY + "+?)e" + END);

// Python's w[:-n], by code points.
function cut(w, n) {
  return Array.from(w).slice(0, -n).join("");
}

// Stemming function

export function stem(w) {
  // Uses the Porter stemming algorithm to remove suffixes from English words.
  // stem("fundamentally") === "fundament"
  let m, s, suffix;

  if (Array.from(w).length < 3) {
    return w;
  }

  const firstIsY = w[0] === "y";
  if (firstIsY) {
    w = "Y" + w.slice(1);
  }

  // Step 1a
  if (w.endsWith("s")) {
    if (w.endsWith("sses")) {
      w = cut(w, 2);
    } else if (w.endsWith("ies")) {
      w = cut(w, 2);
    } else if (Array.from(w).at(-2) !== "s") {
      w = cut(w, 1);
    }
  }

  // Step 1b

  if (w.endsWith("eed")) {
    s = cut(w, 3);
    if (mgr0.exec(s)) {
      w = cut(w, 1);
    }
  } else {
    m = edIng.exec(w);
    if (m) {
      s = m[1];
      if (sV.exec(s)) {
        w = s;
        if (atBlIz.exec(w)) {
          w += "e";
        } else if (step1b.exec(w)) {
          w = cut(w, 1);
        } else if (cV.exec(w)) {
          w += "e";
        }
      }
    }
  }

  // Step 1c

  if (w.endsWith("y")) {
    s = cut(w, 1);
    if (sV.exec(s)) {
      w = s + "i";
    }
  }

  // Step 2

  m = step2.exec(w);
  if (m) {
    s = m[1];
    suffix = m[2];
    if (mgr0.exec(s)) {
      w = s + step2list[suffix];
    }
  }

  // Step 3

  m = step3.exec(w);
  if (m) {
    s = m[1];
    suffix = m[2];
    if (mgr0.exec(s)) {
      w = s + step3list[suffix];
    }
  }

  // Step 4

  m = step4_1.exec(w);
  if (m) {
    s = m[1];
    if (mgr1.exec(s)) {
      w = s;
    }
  } else {
    m = step4_2.exec(w);
    if (m) {
      s = m[1] + m[2];
      if (mgr1.exec(s)) {
        w = s;
      }
    }
  }

  // Step 5

  m = step5.exec(w);
  if (m) {
    s = m[1];
    if (mgr1.exec(s) || (meq1.exec(s) && !cV.exec(s))) {
      w = s;
    }
  }

  if (w.endsWith("ll") && mgr1.exec(w)) {
    w = cut(w, 1);
  }

  if (firstIsY) {
    w = "y" + w.slice(1);
  }

  return w;
}
