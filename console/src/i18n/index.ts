/** The console's languages: strings kept in one file per language. */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { en, type Strings } from './en';
import { es } from './es';

export const LANGUAGES = { en: 'English', es: 'Español' } as const;
export type Language = keyof typeof LANGUAGES;
export const STRINGS: Record<Language, Strings> = { en, es };

const KEY = 'console.language';

export function initialLanguage(): Language {
  const stored = localStorage.getItem(KEY);
  if (stored === 'en' || stored === 'es') return stored;
  return navigator.language.toLowerCase().startsWith('es') ? 'es' : 'en';
}

export function rememberLanguage(language: Language): void {
  localStorage.setItem(KEY, language);
  document.documentElement.lang = language;
}

export const LanguageContext = createContext<{ language: Language; t: Strings }>({ language: 'en', t: en });

export function useStrings() {
  return useContext(LanguageContext);
}

export type { Strings };

/**
 * A reason code from the API (why a message was skipped, withdrawn or
 * failed) in the reader's language; a code the strings do not know (a
 * provider's event type such as TEXT_BLOCKED) is shown as the API sent it.
 *
 * @param reason - the code
 * @param t - the strings of the reader's language
 */
export function reasonText(reason: string, t: Strings): string {
  if (Object.hasOwn(t.reasons, reason)) return t.reasons[reason] ?? reason;
  // Two families carry a code of the provider's inside them: `retry:<code>`, `fallback-after-<channel>-<why>`.
  const retry = /^retry:(.+)$/.exec(reason);
  if (retry) return t.reasonFamilies.retry(retry[1] as string);
  const fallback = /^fallback-after-(sms|email)-(.+)$/.exec(reason);
  if (fallback)
    return t.reasonFamilies.fallback((fallback[1] as string).toUpperCase(), fallback[2] as string);
  return reason;
}

/**
 * A message status from the API in the reader's language; an unknown one as the API sent it.
 *
 * @param status - the code (`sent`, `skipped`, …)
 * @param t - the strings of the reader's language
 */
export function statusText(status: string, t: Strings): string {
  const names: Record<string, string> = t.messageStatuses;
  return Object.hasOwn(names, status) ? (names[status] ?? status) : status;
}

/**
 * Where a consent or an opt-out came from (`patient`, `staff`, `carrier`, `written`, …) in the reader's
 * language; an unknown one as the API sent it.
 *
 * @param source - the code
 * @param t - the strings of the reader's language
 */
export function sourceText(source: string, t: Strings): string {
  return Object.hasOwn(t.patient.sources, source) ? (t.patient.sources[source] ?? source) : source;
}
