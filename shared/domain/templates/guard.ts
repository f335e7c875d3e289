/**
 * The render-time guard: an SMS over the clinic's segment budget is never
 * sent. Real values can be longer than the save-time check's samples (a
 * 50-character first name) or force UCS-2 (an emoji, `í`), so the text is
 * fitted when it is rendered: first what can be shortened is shortened, and
 * a text that still does not fit is refused for the caller to skip.
 */
import { countSegments, foldToGsm7, isGsm7, type SegmentCount } from './segments';
import {
  DROPPED_MARK,
  renderNodes,
  type TemplateNode,
  type TemplateValues,
  type TemplateVariable,
} from './syntax';

/**
 * Longest first name a text is guaranteed to hold: the built-in texts of the
 * exempt kinds fit one part with a first name this long; the guard shortens a
 * longer one when the text would not fit.
 */
export const FIRST_NAME_BOUND = 12;

/** What the guard did to make a text fit, in the order it tries them. */
export type Shortening =
  /** A first name over {@link FIRST_NAME_BOUND}: its first word, else its first graphemes. */
  | 'first-name-shortened'
  /** Accents without a GSM-7 form taken off the first name (`María` → `Maria`), so the text stays GSM-7. */
  | 'first-name-folded'
  /** The first name left out ("Hi," instead of "Hi Ana,"). */
  | 'first-name-dropped'
  /** The location or video link left out; only where the template has them in `{{#…}}` sections. */
  | 'place-dropped';

export type FittedSms =
  | { fits: true; text: string; count: SegmentCount; shortened: Shortening[] }
  /** Nothing made it fit: `text` and `count` are those of the most shortened try. */
  | { fits: false; text: string; count: SegmentCount; budget: number };

export interface FitOptions {
  /** Keep the first name as given (the save-time check: a bounded name must fit as it is). */
  keepFirstName?: boolean;
}

const PLACE: readonly TemplateVariable[] = ['location', 'videoLink'];
const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** User-perceived characters: an emoji with its modifiers, or a letter with its accents, is one. */
function graphemes(text: string): string[] {
  return Array.from(segmenter.segment(text), (part) => part.segment);
}

/**
 * A first name cut to a bound: unchanged when it fits, else its first word
 * (`Maria-Guadalupe` → `Maria`), else that word's first graphemes, so an
 * emoji or an accented letter is never split.
 *
 * @param name - the first name as stored
 * @param bound - the most graphemes to keep
 */
export function shortenFirstName(name: string, bound = FIRST_NAME_BOUND): string {
  if (graphemes(name).length <= bound) return name;
  const firstWord = name.split(/[\s\-‐‑]+/u).find((word) => word !== '') ?? name;
  const kept = graphemes(firstWord);
  return kept.length <= bound ? firstWord : kept.slice(0, bound).join('');
}

// Built from the mark itself (a control character, which a regex literal should not hold).
const M = DROPPED_MARK;
const TIDY: [RegExp, string][] = [
  [new RegExp(`(^|\n)${M}[,;:]? *`, 'g'), '$1'], // "␀, your visit" → "your visit"
  [new RegExp(`,? *${M}(?=[.!?])`, 'g'), ''], // "your visit, ␀." → "your visit."
  [new RegExp(` *${M}(?=[,;:)\n]|$)`, 'g'), ''], // "Hi ␀," → "Hi,"
  [new RegExp(`${M} *`, 'g'), ''], // "Dear ␀ team" → "Dear team"
];

/** Removes the marks of a dropped first name with the space or comma that only made sense beside it. */
function tidy(text: string): string {
  return TIDY.reduce((tidied, [pattern, replacement]) => tidied.replace(pattern, replacement), text);
}

/** True when every use of the variables sits in a `{{#…}}` section on the same variable, so leaving them out leaves no gap. */
function onlyInOwnSections(nodes: readonly TemplateNode[], names: readonly TemplateVariable[]): boolean {
  return nodes.every((node) => {
    if (node.type === 'text') return true;
    if (node.type === 'variable') return !names.includes(node.name);
    if (!node.inverted && names.includes(node.name)) return true;
    return onlyInOwnSections(node.children, names);
  });
}

interface Try {
  firstName: string;
  dropped: TemplateVariable[];
  shortened: Shortening[];
}

/** The tries in order of preference: the place matters more to a patient than being named. */
function tries(nodes: readonly TemplateNode[], values: TemplateValues, options: FitOptions): Try[] {
  const name = values.firstName;
  const short = options.keepFirstName ? name : shortenFirstName(name);
  const folded = foldToGsm7(short);
  const best = !options.keepFirstName && folded !== short && isGsm7(folded) ? folded : short;
  const bestSteps: Shortening[] = [
    ...(short !== name ? (['first-name-shortened'] as const) : []),
    ...(best !== short ? (['first-name-folded'] as const) : []),
  ];
  const hasPlace = PLACE.some((variable) => values[variable] !== '');
  const placeDroppable = hasPlace && onlyInOwnSections(nodes, PLACE);
  const canDropName = !options.keepFirstName && name !== '';

  const list: Try[] = [{ firstName: name, dropped: [], shortened: [] }];
  if (short !== name) list.push({ firstName: short, dropped: [], shortened: ['first-name-shortened'] });
  if (best !== short) list.push({ firstName: best, dropped: [], shortened: bestSteps });
  if (canDropName) list.push({ firstName: '', dropped: ['firstName'], shortened: ['first-name-dropped'] });
  if (placeDroppable) {
    list.push({ firstName: best, dropped: [...PLACE], shortened: [...bestSteps, 'place-dropped'] });
    if (canDropName) {
      list.push({
        firstName: '',
        dropped: ['firstName', ...PLACE],
        shortened: ['first-name-dropped', 'place-dropped'],
      });
    }
  }
  return list;
}

/**
 * Renders an SMS within a segment budget, shortening it if it has to: the
 * first name to {@link FIRST_NAME_BOUND} and without accents GSM-7 lacks,
 * then without the first name, then without the place (where the template
 * puts it in a section), and both. The first try that fits is the text.
 *
 * @param nodes - the parsed SMS template
 * @param values - every variable's value for this message
 * @param budget - the most segments the text may take
 * @param options - {@link FitOptions}
 * @returns the text that fits and what was shortened, or `fits: false`
 */
export function fitSms(
  nodes: readonly TemplateNode[],
  values: TemplateValues,
  budget: number,
  options: FitOptions = {},
): FittedSms {
  let last: { text: string; count: SegmentCount } | undefined;
  for (const attempt of tries(nodes, values, options)) {
    const text = tidy(
      renderNodes(nodes, { ...values, firstName: attempt.firstName }, new Set(attempt.dropped)),
    );
    const count = countSegments(text);
    if (count.segments <= budget) return { fits: true, text, count, shortened: attempt.shortened };
    last = { text, count };
  }
  // tries() always holds the text as it is, so `last` is set.
  const { text, count } = last as { text: string; count: SegmentCount };
  return { fits: false, text, count, budget };
}
