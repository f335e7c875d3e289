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
  return Object.hasOwn(t.reasons, reason) ? (t.reasons[reason] ?? reason) : reason;
}
