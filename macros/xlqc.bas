Attribute VB_Name = "xlqc"
' xlqc ribbon callback (DESIGN.md section 5).
'
' Every button of customUI14.xml has onAction="OnRibbon", which calls RunButton with the
' button's id; RunButton hands it to Python, where xlqc.excel.on_ribbon runs the matching
' handler on the active workbook. A new button is one line of XML and one Python function;
' nothing changes here. `xlqc addin selftest` presses the buttons through the same RunButton
' (Application.Run "'xlqc.xlam'!RunButton", "validate"), so it tests what the ribbon runs.
'
' RunPython comes from the module "xlwings" (xlwings' custom add-in module, imported next to
' this one when the add-in is built).
'
' This file is ASCII on purpose: the VBA editor imports .bas files in the system code page,
' so Chinese text is written as Unicode code points and decoded by Zh().
Option Explicit

Public Sub OnRibbon(control As IRibbonControl)
    RunButton control.Id
End Sub

Public Sub RunButton(id As String)
    Dim scratch As Workbook
    If ActiveWorkbook Is Nothing Then
        If id <> "new_book" Then
            ' "Open the master workbook (or any workbook) first, then use the QC tab."
            MsgBox Zh("8BF7 5148 6253 5F00 603B 8868 FF08 6216 4EFB 610F 4E00 4E2A 5DE5 4F5C 7C3F FF09 FF0C 518D 4F7F 7528 300C 51 43 5C0F 7EC4 300D 9009 9879 5361 3002"), vbInformation, "xlqc"
            Exit Sub
        End If
        ' RunPython runs on the active workbook: a blank one stands in while the new master
        ' workbook is written (into Documents) and opened, and is closed afterwards.
        Set scratch = Workbooks.Add
    End If
    RunPython "import xlqc.excel; xlqc.excel.on_ribbon('" & id & "')"
    If Not scratch Is Nothing Then scratch.Close SaveChanges:=False
End Sub

Private Function Zh(ByVal codes As String) As String
    ' Text from space-separated hexadecimal Unicode code points.
    Dim part As Variant
    For Each part In Split(codes, " ")
        Zh = Zh & ChrW(CLng("&H" & part))
    Next part
End Function
