/**
 * i18next set-up. The language follows the browser/OS until the user picks one in Settings; the pick is
 * remembered in localStorage and applied at once, without a reload.
 */
import i18next from 'i18next'
import { initReactI18next } from 'react-i18next'
import { en } from './en'
import { ja } from './ja'

export const languages = ['en', 'ja'] as const
export type Language = (typeof languages)[number]
export type LanguageSetting = Language | 'system'

const STORAGE_KEY = 'finetune-studio.language'

export function systemLanguage(): Language {
  const preferred = navigator.languages.length > 0 ? navigator.languages : [navigator.language]
  for (const tag of preferred) {
    const base = tag.toLowerCase().split('-')[0]
    if (base === 'ja' || base === 'en') return base
  }
  return 'en'
}

export function storedLanguageSetting(): LanguageSetting {
  const stored = localStorage.getItem(STORAGE_KEY)
  return stored === 'en' || stored === 'ja' ? stored : 'system'
}

export async function setLanguageSetting(setting: LanguageSetting): Promise<void> {
  if (setting === 'system') localStorage.removeItem(STORAGE_KEY)
  else localStorage.setItem(STORAGE_KEY, setting)
  await i18next.changeLanguage(setting === 'system' ? systemLanguage() : setting)
}

export async function initI18n(): Promise<typeof i18next> {
  const setting = storedLanguageSetting()
  await i18next.use(initReactI18next).init({
    resources: { en: { translation: en }, ja: { translation: ja } },
    lng: setting === 'system' ? systemLanguage() : setting,
    fallbackLng: 'en',
    interpolation: { escapeValue: false },
    returnNull: false,
  })
  i18next.on('languageChanged', (lng) => {
    document.documentElement.lang = lng
  })
  document.documentElement.lang = i18next.language
  return i18next
}
