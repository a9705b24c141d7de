/** The demo backbone that ships in resources/ so a fresh install trains and chats with no download. */
export const DEMO_BACKBONE_ID = 'finetune-studio/demo-tiny-gpt2'
