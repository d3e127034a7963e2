/** The options of `coffer upload`. */
export interface UploadFlags {
  share?: string[];
  name?: string;
  parent?: string;
  acceptNewKey?: string[];
  resume?: boolean;
}
