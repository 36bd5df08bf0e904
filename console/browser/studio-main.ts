// The studio's script, loaded beside the console's own on the studio's editing page only.
import { enhanceStudio } from './studio.js'

enhanceStudio()
