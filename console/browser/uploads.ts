// Attachment slots: each file is checked against the slot's rules (type by name, size, count)
// before it is sent, uploaded on its own with a progress bar, checked again by the type the server
// read from its content, and can be removed before the form is submitted. The engine checks it all
// once more when the action is performed.

interface Uploaded { readonly id: string; readonly type: string | null }

const fill = (template: string, values: Record<string, string>): string =>
  template.replace(/\{(\w+)\}/g, (all, key: string) => values[key] ?? all)

export function enhanceUploads(): void {
  for (const slot of document.querySelectorAll<HTMLFieldSetElement>('fieldset.slot')) {
    const input = slot.querySelector<HTMLInputElement>('input[type=file]')
    const list = slot.querySelector<HTMLUListElement>('ul.files')
    const error = slot.querySelector<HTMLElement>('[data-slot-error]')
    const form = slot.closest('form')
    if (!input || !list || !error || !form) continue
    const data = slot.dataset
    const types = (data['types'] ?? '').split(',')
    const extensions = (data['extensions'] ?? '').split(',')
    const maxSize = Number(data['maxSize'])
    const max = Number(data['max'])
    const show = (messages: string[]): void => {
      error.textContent = messages.join(' ')
      error.hidden = messages.length === 0
    }
    list.addEventListener('click', (event) => {
      const button = event.target as HTMLElement
      if (button.matches('[data-remove-file]')) {
        button.closest('li')?.remove()
        show([])
      }
    })
    input.addEventListener('change', () => {
      const files = [...input.files ?? []]
      input.value = ''
      const problems: string[] = []
      const count = list.querySelectorAll('li').length
      if (count + files.length > max) problems.push(data['msgCount'] ?? '')
      const accepted = problems.length > 0 ? [] : files.filter((file) => {
        const extension = file.name.includes('.') ? file.name.slice(file.name.lastIndexOf('.') + 1).toLowerCase() : ''
        if (!extensions.includes(extension)) problems.push(fill(data['msgType'] ?? '', { name: file.name }))
        else if (file.size > maxSize) problems.push(fill(data['msgSize'] ?? '', { name: file.name }))
        else return true
        return false
      })
      show(problems)
      for (const file of accepted) upload(file)
    })

    const upload = (file: File): void => {
      const item = document.createElement('li')
      item.className = 'file uploading'
      const name = document.createElement('span')
      name.textContent = file.name
      const progress = document.createElement('progress')
      progress.max = 100
      progress.value = 0
      progress.setAttribute('aria-label', `${data['msgUploading'] ?? ''} ${file.name}`)
      item.append(name, progress)
      list.append(item)
      const request = new XMLHttpRequest()
      request.open('POST', `/console/attachments?filename=${encodeURIComponent(file.name)}`)
      request.setRequestHeader('Content-Type', 'application/octet-stream')
      request.setRequestHeader('X-CSRF-Token', form.querySelector<HTMLInputElement>('input[name=_csrf]')?.value ?? '')
      request.upload.addEventListener('progress', (event) => {
        if (event.lengthComputable) progress.value = Math.round((event.loaded / event.total) * 100)
      })
      request.addEventListener('load', () => {
        const refuse = (message: string): void => {
          item.remove()
          show([message])
        }
        let answer: Partial<Uploaded> & { detail?: string } = {}
        try {
          answer = JSON.parse(request.responseText) as typeof answer
        } catch {
          // Not JSON: the status says enough.
        }
        if (request.status !== 201 || typeof answer.id !== 'string') return refuse(fill(data['msgFailed'] ?? '', { name: file.name, why: answer.detail ?? request.statusText }))
        // The type read from the content, not from the name: a renamed file is refused here already.
        if (!answer.type || !types.includes(answer.type)) return refuse(fill(data['msgContent'] ?? '', { name: file.name }))
        progress.value = 100
        item.classList.remove('uploading')
        item.dataset['id'] = answer.id
        const hidden = document.createElement('input')
        hidden.type = 'hidden'
        hidden.name = data['name'] ?? ''
        hidden.value = answer.id
        const remove = document.createElement('button')
        remove.type = 'button'
        remove.className = 'secondary'
        remove.dataset['removeFile'] = ''
        remove.textContent = data['msgRemove'] ?? ''
        progress.remove()
        item.append(hidden, remove)
      })
      request.addEventListener('error', () => {
        item.remove()
        show([fill(data['msgFailed'] ?? '', { name: file.name, why: data['msgNetwork'] ?? '' })])
      })
      request.send(file)
    }
  }
}
