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
