/** 日本語メッセージ。キーは en.ts と同じ(型で保証)。技術用語は実務で使われる英語表記のまま。 */
import type { Messages } from './en'

type Catalog<T> = { [K in keyof T]: T[K] extends string ? string : Catalog<T[K]> }

export const ja: Catalog<Messages> = {
  app: {
    title: 'Finetune Studio',
    connecting: 'アプリに接続しています…',
    connectionLost: 'アプリとの接続が切れました。ページを再読み込みするか、`finetune-studio serve` を起動し直してください。',
  },
  nav: {
    datasets: 'データセット',
    newExperiment: '新しい実験',
    experiments: '実験一覧',
    chat: 'チャット',
    settings: '設定',
    menu: 'メニューを開く',
  },
  engine: {
    starting: 'エンジン起動中…',
    ready: 'エンジン: {{backend}}',
    failed: 'エンジンを起動できません',
    details: 'デバイス: {{device}} · TensorFlow.js {{version}} · 起動 {{ms}} ms',
    ladder: '試したバックエンド: {{ladder}}',
    precision: '精度: {{note}}',
  },
  pages: {
    notBuilt: 'まだ作られていません',
    notBuiltBody: 'このページは予定されていますが、このバージョンにはまだ含まれていません: {{what}}',
  },
  datasets: {
    title: 'データセット',
    planned: 'CSV・JSON・JSONL・Parquet ファイルや Hugging Face のデータセットの取り込み、プレビュー、列の割り当て、トークン長のヒストグラム。',
    count_one: 'データセット {{count}} 件',
    count_other: 'データセット {{count}} 件',
    empty: 'まだデータセットがありません。',
    columns: { name: '名前', format: '形式', rows: '行数', columns: '列', created: '取り込み日時' },
  },
  newExperiment: {
    title: '新しい実験',
    planned: '設定の各セクション(dataset・tokenizer・augmentation・architecture・training・prediction・environment)の入力フォーム、検証、YAML の読み込みと書き出し。',
  },
  experiments: {
    title: '実験一覧',
    count_one: '実験 {{count}} 件',
    count_other: '実験 {{count}} 件',
    empty: 'まだ実験がありません。「新しい実験」ページから作成してください。',
    search: '名前またはバックボーンで検索',
    columns: {
      name: '名前',
      backbone: 'バックボーン',
      dataset: 'データセット',
      status: '状態',
      progress: '進捗',
      bestMetric: '最良の指標',
      created: '作成日時',
      duration: '所要時間',
      actions: '操作',
    },
    actions: { start: '開始', stop: '停止', resume: '最後のチェックポイントから再開' },
    eta: '残り {{eta}}',
  },
  status: {
    queued: '待機中',
    running: '実行中',
    finished: '完了',
    failed: '失敗',
    stopped: '停止',
    interrupted: '中断',
  },
  chat: {
    title: 'チャット',
    planned: 'ファインチューニング前と後のモデルに同じ質問をして、回答をストリーミングで並べて比べる機能。',
  },
  settings: {
    title: '設定',
    language: '言語',
    languageHelp: 'ここで選ぶまでは、システムの言語に合わせて表示します。',
    languageSystem: 'システム({{language}})',
    theme: '外観',
    themeSystem: 'システムに合わせる',
    themeLight: 'ライト',
    themeDark: 'ダーク',
    about: 'このアプリについて',
    version: 'バージョン',
    host: '実行形態',
    hostElectron: 'デスクトップアプリ',
    hostWeb: 'Web ホスト(ブラウザ)',
    dataDir: 'データフォルダー',
    platform: 'プラットフォーム',
  },
  common: {
    loading: '読み込み中…',
    error: 'エラーが発生しました: {{message}}',
    retry: 'もう一度試す',
    none: '—',
  },
}
