/**
 * The template language: `{{name}}` inserts a variable, `{{#name}}…{{/name}}`
 * keeps its inside only when the variable is not empty (a visit with a
 * location), `{{^name}}…{{/name}}` only when it is empty. Nothing else: no
 * expressions, no helpers, no lookups, so a template can reach exactly the
 * whitelisted variables and no other field of a record.
 */

/**
 * Everything a template may show. Deliberately absent: last name, appointment
 * type, diagnosis, procedure, provider or specialty, because an SMS lock screen
 * is not a private place.
 */
export const TEMPLATE_VARIABLES = [
  'firstName',
  'clinicName',
  'clinicPhone',
  'localDate',
  'localTime',
  'location',
  'videoLink',
  'replyInstructions',
  'stopText',
  /** The clinic's public review page (policy.survey.followUp.reviewLink): only the promoters' thank-you shows it. */
  'reviewLink',
] as const;
export type TemplateVariable = (typeof TEMPLATE_VARIABLES)[number];

export type TemplateValues = Record<TemplateVariable, string>;

export type TemplateNode =
  | { type: 'text'; text: string }
  | { type: 'variable'; name: TemplateVariable }
  | { type: 'section'; name: TemplateVariable; inverted: boolean; children: TemplateNode[] };

export interface ParsedTemplate {
  nodes: TemplateNode[];
  /** Variables the template uses anywhere (sections included). */
  variables: ReadonlySet<TemplateVariable>;
  /** Human-readable problems; a template with any is refused. */
  problems: string[];
}

const ALLOWED: ReadonlySet<string> = new Set(TEMPLATE_VARIABLES);
const TAG = /\{\{\s*([#^/]?)\s*([^{}]*?)\s*\}\}/g;

function isTemplateVariable(name: string): name is TemplateVariable {
  return ALLOWED.has(name);
}

interface OpenSection {
  name: TemplateVariable;
  inverted: boolean;
  children: TemplateNode[];
}

/**
 * Parses a template, collecting every problem instead of stopping at the first.
 *
 * @param source - the template text as a clinic or the built-in set wrote it
 * @param allowed - the variables the caller's texts may use, named in the problem of an unknown one
 *   (every template variable by default; a broadcast names its three)
 */
export function parseTemplate(
  source: string,
  allowed: readonly string[] = TEMPLATE_VARIABLES,
): ParsedTemplate {
  const root: TemplateNode[] = [];
  const stack: OpenSection[] = [];
  const variables = new Set<TemplateVariable>();
  const problems: string[] = [];
  const current = () => stack.at(-1)?.children ?? root;
  const pushText = (text: string) => {
    if (text === '') return;
    if (text.includes('{{') || text.includes('}}')) {
      problems.push('has a "{{" or "}}" that is not part of a {{variable}}');
    }
    current().push({ type: 'text', text });
  };

  let last = 0;
  for (const match of source.matchAll(TAG)) {
    pushText(source.slice(last, match.index));
    last = match.index + match[0].length;
    const sigil = match[1] ?? '';
    const name = match[2] ?? '';
    if (!isTemplateVariable(name)) {
      problems.push(`uses unknown variable {{${name}}}; allowed: ${allowed.join(', ')}`);
      continue;
    }
    variables.add(name);
    if (sigil === '') {
      current().push({ type: 'variable', name });
    } else if (sigil === '/') {
      const open = stack.pop();
      if (!open) {
        problems.push(`closes {{/${name}}} that was never opened`);
      } else if (open.name !== name) {
        problems.push(`closes {{/${name}}} while {{#${open.name}}} is open`);
        stack.push(open);
      } else {
        current().push({ type: 'section', name, inverted: open.inverted, children: open.children });
      }
    } else {
      stack.push({ name, inverted: sigil === '^', children: [] });
    }
  }
  pushText(source.slice(last));
  for (const open of stack)
    problems.push(`opens {{${open.inverted ? '^' : '#'}${open.name}}} and never closes it`);
  return { nodes: root, variables, problems };
}

/**
 * Stands in for a variable that the render-time guard left out, so the text
 * around it can be tidied ("Hi ␀," becomes "Hi,"). A control character, so no
 * template or value can contain it.
 */
export const DROPPED_MARK = '\u0000';

const NONE: ReadonlySet<TemplateVariable> = new Set();

/**
 * Renders parsed nodes with the given values.
 *
 * @param nodes - the output of {@link parseTemplate}
 * @param values - a value for every variable (empty string when there is none)
 * @param dropped - variables to leave out: each use renders as
 *   {@link DROPPED_MARK}, and sections on them as for an empty value
 */
export function renderNodes(
  nodes: readonly TemplateNode[],
  values: TemplateValues,
  dropped: ReadonlySet<TemplateVariable> = NONE,
): string {
  return nodes
    .map((node) => {
      if (node.type === 'text') return node.text;
      if (node.type === 'variable') return dropped.has(node.name) ? DROPPED_MARK : values[node.name];
      const present = values[node.name] !== '' && !dropped.has(node.name);
      return present !== node.inverted ? renderNodes(node.children, values, dropped) : '';
    })
    .join('');
}
